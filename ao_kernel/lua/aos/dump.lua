-- `Dump(value)`: readable Lua-like text for any value. Tables span several lines with
-- two-space indents, the sequence part first, then the other keys in sorted order.
local KEYWORDS = {}
for word in ([[and break do else elseif end false for function goto if in local nil not or
  repeat return then true until while]]):gmatch("%a+") do
  KEYWORDS[word] = true
end

local ESC = { ['"'] = '\\"', ["\\"] = "\\\\", ["\n"] = "\\n", ["\r"] = "\\r", ["\t"] = "\\t" }

local function quote(s)
  return '"' .. s:gsub('[%c"\\]', function(c)
    return ESC[c] or string.format("\\%03d", c:byte())
  end) .. '"'
end

local function number_text(n)
  if n ~= n then return "0/0" end
  if n == math.huge then return "math.huge" end
  if n == -math.huge then return "-math.huge" end
  return tostring(n)
end

local function scalar(v)
  local kind = type(v)
  if kind == "string" then return quote(v) end
  if kind == "number" then return number_text(v) end
  if kind == "boolean" or kind == "nil" then return tostring(v) end
  return "<" .. kind .. ">" -- functions, threads, userdata: addresses are not stable
end

local function key_text(k)
  if type(k) == "string" and k:match("^[%a_][%w_]*$") and not KEYWORDS[k] then return k end
  if type(k) == "table" then return "[<table>]" end
  return "[" .. scalar(k) .. "]"
end

local function key_before(a, b)
  local ta, tb = type(a), type(b)
  if ta ~= tb then
    if ta == "number" or tb == "number" then return ta == "number" end
    return ta < tb
  end
  if ta == "number" or ta == "string" then return a < b end
  if ta == "boolean" then return b and not a end
  return false
end

local function write(v, indent, open)
  if type(v) ~= "table" then return scalar(v) end
  if open[v] then return "<cycle>" end
  if next(v) == nil then return "{}" end
  open[v] = true
  local pad = string.rep("  ", indent + 1)
  local lines = {}
  local n = #v
  for i = 1, n do lines[#lines + 1] = pad .. write(v[i], indent + 1, open) end
  local rest = {}
  for k in pairs(v) do
    if not (math.type(k) == "integer" and k >= 1 and k <= n) then rest[#rest + 1] = k end
  end
  table.sort(rest, key_before)
  for _, k in ipairs(rest) do
    lines[#lines + 1] = pad .. key_text(k) .. " = " .. write(v[k], indent + 1, open)
  end
  open[v] = nil
  return "{\n" .. table.concat(lines, ",\n") .. "\n" .. string.rep("  ", indent) .. "}"
end

local function Dump(value)
  return write(value, 0, {})
end

return Dump
