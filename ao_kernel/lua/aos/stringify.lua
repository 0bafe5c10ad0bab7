-- Colourised, multi-line rendering of tables for process output (what `print(tbl)` shows).
-- Keys are red, strings green, other scalars blue; entries come in `pairs` order, as in aos.
local stringify = {}
stringify._version = "0.0.1"

local RED, GREEN, BLUE, RESET = "\27[31m", "\27[32m", "\27[34m", "\27[0m"
local CYCLE = "<circular reference>"

local function shade(v)
  if type(v) == "string" then return GREEN .. '"' .. v .. '"' .. RESET end
  return BLUE .. tostring(v) .. RESET
end

-- Keys in `pairs` order (the sandbox makes that order fixed: numbers, then strings, ...).
local function key_order(t)
  local walked = {}
  for key in pairs(t) do walked[#walked + 1] = key end
  return walked
end

-- One line of strings and numbers: every key is its own position (1, 2, 3... in order).
stringify.isSimpleArray = function(tbl)
  local position = 0
  for key, v in pairs(tbl) do
    position = position + 1
    local kind = type(v)
    if key ~= position or (kind ~= "string" and kind ~= "number") then return false end
  end
  return true
end

-- How many keys at the start of the walk are 1, 2, 3...
local function leading_run(keys)
  local count = 0
  while keys[count + 1] == count + 1 do count = count + 1 end
  return count
end

function stringify.format(tbl, indent, seen)
  local depth = indent or 0
  seen = seen or {}

  local one_line = stringify.isSimpleArray(tbl)
  if one_line then
    local cells = {}
    for position, cell in ipairs(tbl) do cells[position] = shade(cell) end
    return "{ " .. table.concat(cells, ", ") .. " }"
  end

  local keys = key_order(tbl)
  local skip = leading_run(keys)
  local rows = {}
  local margin = string.rep(" ", depth)

  if skip == #keys then
    -- a list with tables or other values in it: one item per line, keys left out
    local pad = margin .. "  "
    for _, key in ipairs(keys) do
      local item = tbl[key]
      if type(item) == "table" then
        rows[#rows + 1] = pad .. stringify.format(item, depth + 2)
      else
        rows[#rows + 1] = pad .. shade(item)
      end
    end
    return "{\n" .. table.concat(rows, ",\n") .. "\n" .. margin .. " }"
  end

  -- keyed: like aos, the entries of that leading 1, 2, 3... run are left out
  local pad = margin .. "   "
  for position = skip + 1, #keys do
    local k = keys[position]
    local item, text = tbl[k], nil
    if type(item) == "table" then
      if seen[item] then return CYCLE end
      seen[item] = true
      text = stringify.format(item, depth + 2, seen)
    else
      text = shade(item)
    end
    rows[#rows + 1] = pad .. RED .. k .. RESET .. " = " .. text
  end
  return "{\n" .. table.concat(rows, ",\n") .. "\n" .. margin .. "}"
end

return stringify
