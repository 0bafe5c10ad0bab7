-- ao_kernel: message matching used by Handlers (written for ao_kernel from the documented aos
-- behaviour, see spec/aos-behaviour.md section 2.3).
--
--   matchesPattern(pattern, value, msg) -> boolean   does one field value satisfy a pattern?
--   matchesSpec(msg, spec)              -> any        does a whole message satisfy a spec?
--
-- Field comparisons ignore letter case (as aos does since 2025-04). A string spec on its own is
-- the exception: it is compared with msg.Action exactly.

local lower, find, sub, match = string.lower, string.find, string.sub, string.match
local concat = table.concat

local M = {}

-- Characters that turn a plain string into a Lua pattern.
local MAGIC = "[%^%$%(%)%%%.%[%]%*%+%?]"

-- Lower-case every literal letter of a Lua pattern but keep the character that follows a '%'
-- (so "%S", "%W", "%A" ... keep their meaning). The subject is lower-cased the same way, which
-- makes the match case-insensitive.
local function fold_pattern(p)
  local out, i, n = {}, 1, #p
  while i <= n do
    local c = sub(p, i, i)
    if c == "%" and i < n then
      out[#out + 1] = sub(p, i, i + 1)
      i = i + 2
    else
      out[#out + 1] = lower(c)
      i = i + 1
    end
  end
  return concat(out)
end

local function as_subject(value)
  local kind = type(value)
  if kind == "string" then return lower(value) end
  if kind == "number" then return lower(tostring(value)) end
  -- Anything else is handed to string.match unchanged, which raises as Lua would.
  return value
end

local function string_matches(pattern, value)
  if find(pattern, MAGIC) then
    return match(as_subject(value), fold_pattern(pattern)) ~= nil
  end
  if type(value) == "string" then
    return lower(value) == lower(pattern)
  end
  return value == pattern
end

function M.matchesPattern(pattern, value, msg)
  if not pattern then return false end
  if pattern == "_" then return true end
  local kind = type(pattern)
  if kind == "function" then
    return pattern(value, msg) and true or false
  elseif kind == "string" then
    return string_matches(pattern, value)
  elseif kind == "table" then
    for _, alternative in pairs(pattern) do
      if M.matchesPattern(alternative, value, msg) then return true end
    end
  end
  return false
end

function M.matchesSpec(msg, spec)
  local kind = type(spec)
  if kind == "function" then
    return spec(msg)
  elseif kind == "table" then
    for key, pattern in pairs(spec) do
      local value = msg[key]
      if not value then return false end
      if not M.matchesPattern(pattern, value, msg) then return false end
    end
    return true
  elseif kind == "string" then
    return msg.Action == spec
  end
  return false
end

return M
