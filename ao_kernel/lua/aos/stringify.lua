-- Colourised, multi-line rendering of Lua values for process output (what `print(tbl)` shows).
-- Keys are red, strings green, numbers and booleans blue; keys are sorted so the text is the same
-- on every run and on replay.
local stringify = {}

local COLOR = {
  red = "\27[31m", green = "\27[32m", blue = "\27[34m", reset = "\27[0m", gray = "\27[90m",
}
stringify.colors = COLOR

local function paint(color, text)
  return COLOR[color] .. text .. COLOR.reset
end

-- Addresses would differ between runs, so opaque values print by type only.
local function scalar(v)
  local kind = type(v)
  if kind == "string" then return paint("green", '"' .. v .. '"') end
  if kind == "number" or kind == "boolean" then return paint("blue", tostring(v)) end
  if kind == "nil" then return paint("red", "nil") end
  return paint("gray", "<" .. kind .. ">")
end

-- A list of plain strings and numbers stays on one line.
function stringify.isSimpleArray(t)
  if type(t) ~= "table" then return false end
  local count = 0
  for k, v in pairs(t) do
    if math.type(k) ~= "integer" or k < 1 then return false end
    local kind = type(v)
    if kind ~= "string" and kind ~= "number" then return false end
    count = count + 1
  end
  return count == #t
end

local function key_before(a, b)
  local ta, tb = type(a), type(b)
  if ta ~= tb then
    if ta == "number" or tb == "number" then return ta == "number" end
    return ta < tb
  end
  if ta == "number" or ta == "string" then return a < b end
  return false
end

local function render(v, indent, open)
  if type(v) ~= "table" then return scalar(v) end
  if open[v] then return paint("gray", "<circular reference>") end
  if next(v) == nil then return "{}" end
  if stringify.isSimpleArray(v) then
    local items = {}
    for i = 1, #v do items[i] = scalar(v[i]) end
    return "{ " .. table.concat(items, ", ") .. " }"
  end
  open[v] = true
  local pad = string.rep(" ", indent + 2)
  local lines = {}
  local n = #v
  -- the sequence part first, by position, without keys
  for i = 1, n do lines[#lines + 1] = pad .. render(v[i], indent + 2, open) end
  local rest = {}
  for k in pairs(v) do
    if not (math.type(k) == "integer" and k >= 1 and k <= n) then rest[#rest + 1] = k end
  end
  table.sort(rest, key_before)
  for _, k in ipairs(rest) do
    local label = type(k) == "string" and k or "[" .. tostring(k) .. "]"
    lines[#lines + 1] = pad .. paint("red", label) .. " = " .. render(v[k], indent + 2, open)
  end
  open[v] = nil
  return "{\n" .. table.concat(lines, ",\n") .. "\n" .. string.rep(" ", indent) .. "}"
end

function stringify.format(value, indent)
  return render(value, indent or 0, {})
end

return stringify
