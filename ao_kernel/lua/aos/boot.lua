-- ao_kernel: the `_boot` handler, run once on the Process message. The Process message becomes
-- the first Inbox entry; `On-Boot=Data` evaluates the message Data as Lua, any other On-Boot
-- value names a transaction whose data is evaluated.

-- A process has no file system here: the host may put the data of On-Boot transactions in the
-- global table __AO_BOOT_DATA (txid -> Lua source) before the Process message is handled.
-- Without it the evaluation fails, as it does on ao when the data is missing.
local function stored_source(txid)
  local store = rawget(_G, "__AO_BOOT_DATA")
  return type(store) == "table" and store[txid] or nil
end

return function(ao)
  local run_lua = require(".eval")(ao)

  local function on_boot(msg)
    if #Inbox == 0 then Inbox[1] = msg end
    local source = msg.Tags["On-Boot"]
    if source == "Data" then
      return run_lua(msg)
    elseif source ~= nil then
      return run_lua({ Data = stored_source(source) })
    end
  end
  return on_boot
end
