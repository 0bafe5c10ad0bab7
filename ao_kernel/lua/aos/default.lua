-- ao_kernel: the `_default` handler. A message no handler stopped on is kept in the Inbox and
-- announced with one coloured line.

local function short_id(id)
  if id == nil then return "unknown" end
  return string.sub(id, 1, 3) .. "..." .. string.sub(id, -3)
end

return function(keep)
  return function(msg)
    keep(msg)
    local line = Colors.gray .. "New Message From " .. Colors.green .. short_id(msg.From)
      .. Colors.gray .. ": "
    if msg.Action then
      line = line .. Colors.gray .. "Action = " .. Colors.blue .. string.sub(msg.Action, 1, 20)
        .. Colors.reset
    else
      local body = msg.Data
      if type(body) == "table" then body = require(".json").encode(body) end
      line = line .. Colors.gray .. "Data = " .. Colors.blue
        .. (body and string.sub(body, 1, 20) or "") .. Colors.reset
    end
    print(line)
  end
end
