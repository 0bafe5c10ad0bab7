-- JSON for ao processes, following the behaviour aos programs rely on:
--   encode: {} -> "[]"; 1..n sequences -> arrays; string-keyed tables -> objects (members in
--   `pairs` order); function values inside objects are left out; numbers use "%.14g".
--   decode: null -> nil; "5" -> integer 5, "5.0" -> float; errors say "<what> at line L col C".
local json = { _version = "0.2.0" }

local byte, char, sub, find, format = string.byte, string.char, string.sub, string.find,
  string.format
local concat = table.concat
local huge = math.huge

---------------------------------------------------------------------------------------------------
-- Encoding
---------------------------------------------------------------------------------------------------

-- Escapes for the characters JSON forbids raw inside a string.
local ESCAPES = {
  ['"'] = '\\"', ["\\"] = "\\\\", ["\b"] = "\\b", ["\f"] = "\\f",
  ["\n"] = "\\n", ["\r"] = "\\r", ["\t"] = "\\t",
}

local function quote(s)
  local escaped = s:gsub('[%z\1-\31"\\]', function(ch)
    return ESCAPES[ch] or format("\\u%04x", byte(ch))
  end)
  return '"' .. escaped .. '"'
end

local function number_text(n)
  if n ~= n or n == huge or n == -huge then
    error("unexpected number value '" .. tostring(n) .. "'")
  end
  return format("%.14g", n)
end

local encode_value -- forward declaration: tables recurse into values

-- Decide whether a table is a JSON array: aos treats a table as an array when it has t[1]
-- or is empty; then every key must be numeric and the count must match the border.
local function looks_like_array(t)
  return rawget(t, 1) ~= nil or next(t) == nil
end

local function encode_array(list, seen)
  local count = 0
  for key in pairs(list) do
    if math.type(key) == nil then error("invalid table: mixed or invalid key types") end
    count = count + 1
  end
  if count ~= #list then
    error("invalid table: sparse array")
  end
  local parts = {}
  for i = 1, count do
    parts[i] = encode_value(list[i], seen)
  end
  return "[" .. concat(parts, ",") .. "]"
end

-- Members in `pairs` order; function members are dropped silently, as aos does.
local function encode_object(t, seen)
  local parts = {}
  for name, v in pairs(t) do
    if type(name) ~= "string" then error("invalid table: mixed or invalid key types") end
    local kind = type(v)
    if kind ~= "function" then
      parts[#parts + 1] = quote(name) .. ":" .. encode_value(v, seen)
    end
  end
  return "{" .. concat(parts, ",") .. "}"
end

local function encode_table(t, seen)
  if seen[t] then error("circular reference") end
  seen[t] = true
  local out
  if looks_like_array(t) then
    out = encode_array(t, seen)
  else
    out = encode_object(t, seen)
  end
  seen[t] = nil
  return out
end

encode_value = function(v, seen)
  local kind = type(v)
  if kind == "string" then return quote(v) end
  if kind == "number" then return number_text(v) end
  if kind == "table" then return encode_table(v, seen) end
  if kind == "boolean" then return v and "true" or "false" end
  if kind == "nil" then return "null" end
  error("unexpected type '" .. kind .. "'")
end

function json.encode(value)
  return encode_value(value, {})
end

---------------------------------------------------------------------------------------------------
-- Decoding
---------------------------------------------------------------------------------------------------

local function fail(text, pos, msg)
  -- Report 1-based line and column of `pos` so users can find the fault in their data.
  local line, col = 1, 1
  for i = 1, pos - 1 do
    col = col + 1
    if byte(text, i) == 10 then line, col = line + 1, 1 end
  end
  error(format("%s at line %d col %d", msg, line, col))
end

local function skip_space(text, pos)
  local _, last = find(text, "^[ \n\r\t]*", pos)
  return last + 1
end

-- A bare token (number or literal) runs until whitespace or a structural delimiter.
local function token_end(text, pos)
  local stop = find(text, "[ \n\r\t%]},]", pos)
  return (stop or #text + 1) - 1
end

local LITERALS = { ["true"] = true, ["false"] = false, ["null"] = nil }

local function read_literal(text, pos)
  local last = token_end(text, pos)
  local word = sub(text, pos, last)
  if word ~= "true" and word ~= "false" and word ~= "null" then
    fail(text, pos, "invalid literal '" .. word .. "'")
  end
  return LITERALS[word], last + 1
end

local function read_number(text, pos)
  local last = token_end(text, pos)
  local word = sub(text, pos, last)
  local n = tonumber(word) -- keeps Lua's integer/float distinction ("5" vs "5.0")
  if not n then fail(text, pos, "invalid number '" .. word .. "'") end
  return n, last + 1
end

-- UTF-8 bytes for one code point.
local function utf8_bytes(cp)
  if cp < 0x80 then return char(cp) end
  if cp < 0x800 then
    return char(0xC0 | (cp >> 6), 0x80 | (cp & 0x3F))
  end
  if cp < 0x10000 then
    return char(0xE0 | (cp >> 12), 0x80 | ((cp >> 6) & 0x3F), 0x80 | (cp & 0x3F))
  end
  return char(0xF0 | (cp >> 18), 0x80 | ((cp >> 12) & 0x3F), 0x80 | ((cp >> 6) & 0x3F),
    0x80 | (cp & 0x3F))
end

local SIMPLE_ESCAPES = {
  ['"'] = '"', ["\\"] = "\\", ["/"] = "/", b = "\b", f = "\f", n = "\n", r = "\r", t = "\t",
}

-- Reads the hex digits after "\u" at `pos`; handles a high surrogate followed by "\uDC00..".
local function read_unicode(text, pos)
  local hex = sub(text, pos, pos + 3)
  local cp = #hex == 4 and find(hex, "^%x%x%x%x$") and tonumber(hex, 16)
  if not cp then fail(text, pos - 2, "invalid unicode escape in string") end
  local after = pos + 4
  if cp >= 0xD800 and cp <= 0xDBFF and sub(text, after, after + 1) == "\\u" then
    local low = sub(text, after + 2, after + 5)
    local lo = find(low, "^%x%x%x%x$") and tonumber(low, 16)
    if lo and lo >= 0xDC00 and lo <= 0xDFFF then
      cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00)
      after = after + 6
    end
  end
  return utf8_bytes(cp), after
end

local function read_string(text, pos)
  local pieces = {}
  local i = pos + 1
  local run = i -- start of the current stretch of plain characters
  while true do
    local c = byte(text, i)
    if c == nil then fail(text, pos, "expected closing quote for string") end
    if c < 32 then fail(text, i, "control character in string") end
    if c == 34 then -- closing quote
      pieces[#pieces + 1] = sub(text, run, i - 1)
      return concat(pieces), i + 1
    end
    if c == 92 then -- backslash
      pieces[#pieces + 1] = sub(text, run, i - 1)
      local e = sub(text, i + 1, i + 1)
      if e == "u" then
        local s
        s, i = read_unicode(text, i + 2)
        pieces[#pieces + 1] = s
      elseif SIMPLE_ESCAPES[e] then
        pieces[#pieces + 1] = SIMPLE_ESCAPES[e]
        i = i + 2
      else
        fail(text, i, "invalid escape char '" .. e .. "' in string")
      end
      run = i
    else
      i = i + 1
    end
  end
end

local read_value -- forward declaration: containers recurse

-- Containers: the closing bracket may follow a trailing comma ("[1,2,]" reads as {1, 2}), and a
-- missing separator is reported one column past the offending character, as in aos.
local function read_array(text, pos)
  local out, n = {}, 0
  pos = pos + 1
  while true do
    pos = skip_space(text, pos)
    if sub(text, pos, pos) == "]" then return out, pos + 1 end
    local v
    v, pos = read_value(text, pos)
    n = n + 1
    out[n] = v
    pos = skip_space(text, pos)
    local c = sub(text, pos, pos)
    pos = pos + 1
    if c == "]" then return out, pos end
    if c ~= "," then fail(text, pos, "expected ']' or ','") end
  end
end

local function read_object(text, pos)
  local out = {}
  pos = pos + 1
  while true do
    pos = skip_space(text, pos)
    if sub(text, pos, pos) == "}" then return out, pos + 1 end
    if sub(text, pos, pos) ~= '"' then fail(text, pos, "expected string for key") end
    local key, v
    key, pos = read_string(text, pos)
    pos = skip_space(text, pos)
    if sub(text, pos, pos) ~= ":" then fail(text, pos, "expected ':' after key") end
    pos = skip_space(text, pos + 1)
    v, pos = read_value(text, pos)
    out[key] = v
    pos = skip_space(text, pos)
    local c = sub(text, pos, pos)
    pos = pos + 1
    if c == "}" then return out, pos end
    if c ~= "," then fail(text, pos, "expected '}' or ','") end
  end
end

read_value = function(text, pos)
  local c = sub(text, pos, pos)
  if c == '"' then return read_string(text, pos) end
  if c == "{" then return read_object(text, pos) end
  if c == "[" then return read_array(text, pos) end
  if c == "-" or find(c, "^%d$") then return read_number(text, pos) end
  if c == "t" or c == "f" or c == "n" then return read_literal(text, pos) end
  fail(text, pos, "unexpected character '" .. c .. "'")
end

function json.decode(text)
  if type(text) ~= "string" then
    error("expected argument of type string, got " .. type(text))
  end
  local value, pos = read_value(text, skip_space(text, 1))
  pos = skip_space(text, pos)
  if pos <= #text then fail(text, pos, "trailing garbage") end
  return value
end

return json
