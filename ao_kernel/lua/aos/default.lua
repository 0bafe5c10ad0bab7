-- ao_kernel: the `_default` handler. A message no handler stopped on is kept in the Inbox and
-- announced with one coloured line: who sent it, and its Action or the start of its Data.
-- Strings are cut with method calls (`s:sub`) and the message local is `msg`, so odd values
-- fail with the same Lua error text as on ao.

local json = require(".json")

local function sender_label(msg)
  local from = msg.From
  if from == nil then return "unknown" end
  return msg.From:sub(1, 3) .. "..." .. msg.From:sub(-3)
end

local function summary(msg)
  if msg.Action then
    return Colors.gray .. "Action = " .. Colors.blue .. msg.Action:sub(1, 20) .. Colors.reset
  end
  local data = type(msg.Data) == "table" and json.encode(msg.Data) or msg.Data
  local head = ""
  if data then head = data:sub(1, 20) end
  return Colors.gray .. "Data = " .. Colors.blue .. head .. Colors.reset
end

return function(store)
  local function on_unhandled(msg)
    store(msg)
    local intro = Colors.gray .. "New Message From " .. Colors.green .. sender_label(msg)
    print(intro .. Colors.gray .. ": " .. summary(msg))
  end
  return on_unhandled
end
