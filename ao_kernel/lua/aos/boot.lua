-- ao_kernel: the `_boot` handler, run once on the Process message. The Process message becomes
-- the first Inbox entry; `On-Boot=Data` evaluates the message Data as Lua, any other On-Boot
-- value names a transaction whose data is evaluated.

-- A process has no file system here: the host may put the data of On-Boot transactions in the
-- global table __AO_BOOT_DATA (txid -> Lua source) before the Process message is handled.
-- Without it the evaluation fails, as it does on ao when the data is missing.
local function boot_source(txid)
  local store = rawget(_G, "__AO_BOOT_DATA")
  if type(store) == "table" then return store[txid] end
  return nil
end

return function(ao)
  local evaluate = require(".eval")(ao)
  return function(msg)
    if #Inbox == 0 then table.insert(Inbox, msg) end
    local mode = msg.Tags["On-Boot"]
    if mode == nil then return end
    if mode == "Data" then
      evaluate(msg)
    else
      evaluate({ Data = boot_source(mode) })
    end
  end
end
