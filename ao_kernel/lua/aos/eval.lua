-- ao_kernel: the `_eval` handler. The owner sends Lua source as Data; it runs in the process
-- globals. An expression's value is printed; `return nil, err` or a compile error becomes the
-- message Error (through ao.outbox.Error); a runtime error propagates to process.handle.
-- (The source local is called `expr` because Lua quotes that name when Data is missing.)

local pretty = require(".stringify")

-- Compiles `expr` as an expression when it is one (so that `1 + 1` prints 2), else as a block.
local function compile(expr)
  local fn, err = load("return " .. expr, "aos", "t", _G)
  if err == nil then return fn, nil end
  return load(expr, "aos", "t", _G)
end

local function as_text(value)
  if type(value) ~= "table" then return tostring(value) end
  return pretty.format(value)
end

return function(ao)
  local function fail(reason)
    ao.outbox.Error = reason
  end

  local function on_eval(msg)
    local fn, err = compile(msg.Data)
    if not fn then return fail(err) end

    local value, problem = fn()
    if problem then return fail(problem) end

    local log = HANDLER_PRINT_LOGS
    if value and log then
      table.insert(log, as_text(value))
      return
    end
    -- Nothing logged: the outbox keeps the value in the older Output shape (process.handle
    -- replaces it with the print log afterwards).
    local prompt = Prompt()
    local shown = value
    if type(value) == "table" then shown = as_text(value) end
    local legacy = { json = "undefined", prompt = prompt }
    legacy.data = { output = shown, prompt = prompt }
    ao.outbox.Output = legacy
  end
  return on_eval
end
