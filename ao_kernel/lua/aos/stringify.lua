-- Colourised, multi-line rendering of tables for process output (what `print(tbl)` shows).
-- Keys are red, strings green, other scalars blue.
--
-- aos walks tables in `pairs` order. For tables whose keys are all numbers that order only
-- depends on how the table was built, so we follow it exactly. Once string keys are present the
-- `pairs` order depends on Lua's per-state string hash seed; there we use a fixed order instead
-- (the run 1, 2, 3... first, as the array part comes first in `pairs`, then the other numbers
-- ascending, then the strings sorted), so output stays the same on every run and on replay.
local stringify = { _version = "0.0.1" }

local RED, GREEN, BLUE, RESET = "\27[31m", "\27[32m", "\27[34m", "\27[0m"
local CYCLE = "<circular reference>"

local function shade(v)
  if type(v) == "string" then return GREEN .. '"' .. v .. '"' .. RESET end
  return BLUE .. tostring(v) .. RESET
end

-- The order in which a table's keys are visited (see the note at the top).
local function key_order(t)
  local walked, mixed = {}, false
  for key in pairs(t) do
    walked[#walked + 1] = key
    if type(key) ~= "number" then mixed = true end
  end
  if not mixed then return walked end

  local run, numbers, others = {}, {}, {}
  while rawget(t, #run + 1) ~= nil do run[#run + 1] = #run + 1 end
  for _, key in ipairs(walked) do
    if type(key) == "number" then
      if math.type(key) ~= "integer" or key < 1 or key > #run then numbers[#numbers + 1] = key end
    else
      others[#others + 1] = key
    end
  end
  table.sort(numbers)
  table.sort(others, function(a, b)
    local ta, tb = type(a), type(b)
    if ta == "string" and tb == "string" then return a < b end
    if ta ~= tb then return ta == "string" or (tb ~= "string" and ta < tb) end
    return false
  end)
  for _, key in ipairs(numbers) do run[#run + 1] = key end
  for _, key in ipairs(others) do run[#run + 1] = key end
  return run
end

-- One line of strings and numbers: every key is its own position (1, 2, 3... in order).
function stringify.isSimpleArray(tbl)
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
  indent = indent or 0
  seen = seen or {}

  if stringify.isSimpleArray(tbl) then
    local cells = {}
    for position, cell in ipairs(tbl) do cells[position] = shade(cell) end
    return "{ " .. table.concat(cells, ", ") .. " }"
  end

  local keys = key_order(tbl)
  local skip = leading_run(keys)
  local rows = {}

  if skip == #keys then
    -- a list with tables or other values in it: one item per line, keys left out
    for _, key in ipairs(keys) do
      local item = tbl[key]
      if type(item) == "table" then
        rows[#rows + 1] = stringify.format(item, indent + 2)
      else
        rows[#rows + 1] = shade(item)
      end
    end
    local pad = string.rep(" ", indent + 2)
    return "{\n" .. pad .. table.concat(rows, ",\n" .. pad) .. "\n" .. string.rep(" ", indent + 1) .. "}"
  end

  -- keyed: like aos, the entries of that leading 1, 2, 3... run are left out
  local pad = string.rep(" ", indent + 3)
  for position = skip + 1, #keys do
    local k = keys[position]
    local item, text = tbl[k], nil
    if type(item) == "table" then
      if seen[item] then return CYCLE end
      seen[item] = true
      text = stringify.format(item, indent + 2, seen)
    else
      text = shade(item)
    end
    rows[#rows + 1] = pad .. RED .. k .. RESET .. " = " .. text
  end
  return "{\n" .. table.concat(rows, ",\n") .. "\n" .. string.rep(" ", indent) .. "}"
end

return stringify
