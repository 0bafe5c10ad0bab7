-- `Dump(value, indent)`: Lua-like text for any value (aos's `Dump`). Tables list every entry as
-- `key = value`, number keys first (ascending), then string keys ordered by how they are
-- written, one entry per line indented `indent` spaces per level (default 4; 0 puts the whole
-- table on one line). Anything that is not a table comes back quoted (`Dump(5)` is `"5"`).
local RESERVED = {}
for word in ([[and break do else elseif end false for function goto if in local nil not or
  repeat return then true until while]]):gmatch("%a+") do
  RESERVED[word] = true
end

local function quoted(v)
  return string.format("%q", tostring(v))
end

local write

-- a key as it is written: `name`, or `[...]` around the key written as a value
local function key_text(key, depth, unit, ancestors)
  if type(key) == "string" and key:find("^[%a_][%w_]*$") and not RESERVED[key] then return key end
  return "[" .. write(key, depth, unit, ancestors) .. "]"
end

-- Sort order: numbers first (ascending), other keys by how they are written; booleans are not
-- ordered against anything, as in aos (table.sort then leaves them where its passes put them).
local function before(p, q)
  local a, b = p.key, q.key
  local ta, tb = type(a), type(b)
  if ta == "number" and tb == "number" then return a < b end
  if ta == "number" then return true end
  if tb == "number" then return false end
  if ta == "boolean" or tb == "boolean" then return false end
  return p.label < q.label
end

local function ordered_entries(tbl, depth, unit, ancestors)
  local entries = {}
  for key, v in pairs(tbl) do
    entries[#entries + 1] = { key = key, value = v, label = key_text(key, depth, unit, ancestors) }
  end
  table.sort(entries, before)
  return entries
end

write = function(v, depth, unit, ancestors)
  local kind = type(v)
  if kind == "string" then return string.format("%q", v) end
  if kind == "number" or kind == "boolean" or kind == "nil" then return tostring(v) end
  if kind ~= "table" then return quoted(v) end
  if ancestors[v] then return quoted("<Circular " .. tostring(v) .. ">") end

  ancestors[v] = true
  local parts = {}
  for i, entry in ipairs(ordered_entries(v, depth + 1, unit, ancestors)) do
    parts[i] = entry.label .. " = " .. write(entry.value, depth + 1, unit, ancestors)
  end
  ancestors[v] = nil
  if #parts == 0 then return "{}" end

  if unit == "" then return "{ " .. table.concat(parts, ", ") .. " }" end
  local inner = "\n" .. string.rep(unit, depth + 1)
  return "{" .. inner .. table.concat(parts, "," .. inner) .. "\n" .. string.rep(unit, depth) .. "}"
end

local function Dump(value, indent)
  if indent == nil then indent = 4 end
  if type(indent) ~= "number" or indent < 0 or indent % 1 ~= 0 then
    error("indent must be unsigned integer", 2)
  end
  if type(value) ~= "table" then return quoted(value) end
  local unit = string.format("%" .. indent .. "s", "")
  return write(value, 0, unit, {})
end

return Dump
