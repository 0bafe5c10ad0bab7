-- ao_kernel: the `_eval` handler. The owner sends Lua source as Data; it runs in the process
-- globals. An expression's value is printed; `return nil, err` or a compile error becomes the
-- message Error (through ao.outbox.Error); a runtime error propagates to process.handle.

local stringify = require(".stringify")

local function shown(value)
  if type(value) == "table" then return stringify.format(value) end
  return tostring(value)
end

return function(ao)
  return function(msg)
    local source = msg.Data
    -- Try it as an expression first, so that `1 + 1` prints 2.
    local chunk, problem = load("return " .. source, "aos", "t", _G)
    if problem then
      chunk, problem = load(source, "aos", "t", _G)
    end
    if not chunk then
      ao.outbox.Error = problem
      return
    end

    local value, failure = chunk()
    if failure then
      ao.outbox.Error = failure
      return
    end

    if value and HANDLER_PRINT_LOGS then
      table.insert(HANDLER_PRINT_LOGS, shown(value))
    else
      -- Nothing to log: the outbox keeps the value in the older Output shape (process.handle
      -- replaces it with the print log afterwards).
      local prompt = Prompt()
      ao.outbox.Output = { data = { output = value, prompt = prompt }, prompt = prompt }
      if type(value) == "table" then ao.outbox.Output.data.output = shown(value) end
    end
  end
end
