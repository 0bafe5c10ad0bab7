-- ao_kernel: ready-made patterns and handle functions, exposed as Handlers.utils
-- (aos module name ".handlers-utils"). Written for ao_kernel from the documented behaviour.

local patterns = require(".patterns")

local M = { _version = "0.0.2" }

-- Pattern: the message's tag map holds exactly this value under this name.
function M.hasMatchingTag(name, value)
  assert(type(name) == "string" and type(value) == "string",
    "hasMatchingTag expects (name: string, value: string)")
  return function(msg)
    local tags = msg.Tags
    return tags ~= nil and tags[name] == value
  end
end

-- Pattern: the tag under `name` equals one of `values`.
function M.hasMatchingTagOf(name, values)
  assert(type(name) == "string" and type(values) == "table",
    "hasMatchingTagOf expects (name: string, values: table)")
  return function(msg)
    local tags = msg.Tags
    if tags == nil then return false end
    local actual = tags[name]
    for _, wanted in ipairs(values) do
      if actual == wanted then return true end
    end
    return false
  end
end

-- Pattern: the message Data equals `value`.
function M.hasMatchingData(value)
  assert(type(value) == "string", "hasMatchingData expects (value: string)")
  return function(msg)
    return msg.Data == value
  end
end

-- Handle: answer the sender. A string becomes the reply's Data; a table is the reply itself.
function M.reply(input)
  local kind = type(input)
  assert(kind == "string" or kind == "table", "reply expects a string or a table")
  return function(msg)
    if kind == "string" then
      return msg.reply({ Data = input })
    end
    return msg.reply(input)
  end
end

-- Pattern wrapper: whenever `pattern` matches, let evaluation go on to later handlers.
-- Non-matches (and invalid results) are passed through untouched.
function M.continue(pattern)
  return function(msg)
    local got = patterns.matchesSpec(msg, pattern)
    local kind = type(got)
    if kind == "boolean" then
      if got then return "continue" end
    elseif kind == "number" then
      if got ~= 0 then return "continue" end
    elseif kind == "string" then
      if got == "continue" or got == "break" then return "continue" end
    end
    return got
  end
end

return M
