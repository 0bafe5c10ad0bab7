-- The Lua 5.2 `bit32` library as ao's Lua 5.3 build (LUA_COMPAT_BITLIB) provides it:
-- arguments must have an integer representation, results are unsigned 32-bit integers.
local bit32 = {}

local ALL = 0xFFFFFFFF
local WIDTH = 32

local function argument(fname, i, v)
  local kind = math.type(v)
  if kind == "integer" then return v end
  if kind == nil and type(v) == "string" then
    v = tonumber(v)
    kind = math.type(v)
    if kind == "integer" then return v end
  end
  if kind == "float" then
    local n = math.tointeger(v)
    if n then return n end
    error(("bad argument #%d to '%s' (number has no integer representation)"):format(i, fname), 0)
  end
  local got = v == nil and "no value" or type(v)
  error(("bad argument #%d to '%s' (number expected, got %s)"):format(i, fname, got), 0)
end

local function bad(fname, i, why)
  error(("bad argument #%d to '%s' (%s)"):format(i, fname, why), 0)
end

-- Folds every argument with `op`, starting from `start` (variadic and/or/xor).
local function fold(fname, start, op, ...)
  local r = start
  for i = 1, select("#", ...) do
    r = op(r, argument(fname, i, (select(i, ...))))
  end
  return r & ALL
end

function bit32.band(...) return fold("band", ALL, function(a, b) return a & b end, ...) end
function bit32.bor(...) return fold("bor", 0, function(a, b) return a | b end, ...) end
function bit32.bxor(...) return fold("bxor", 0, function(a, b) return a ~ b end, ...) end

function bit32.btest(...)
  return fold("btest", ALL, function(a, b) return a & b end, ...) ~= 0
end

function bit32.bnot(x)
  return ~argument("bnot", 1, x) & ALL
end

-- Positive `n` shifts left, negative shifts right; 32 or more clears everything.
local function shift(x, n)
  if n < 0 then
    if n <= -WIDTH then return 0 end
    return (x & ALL) >> -n
  end
  if n >= WIDTH then return 0 end
  return (x << n) & ALL
end

function bit32.lshift(x, n)
  return shift(argument("lshift", 1, x), argument("lshift", 2, n))
end

function bit32.rshift(x, n)
  local v, d = argument("rshift", 1, x), argument("rshift", 2, n)
  if d == math.mininteger then return 0 end
  return shift(v, -d)
end

function bit32.arshift(x, n)
  local v, d = argument("arshift", 1, x) & ALL, argument("arshift", 2, n)
  if d < 0 or v & 0x80000000 == 0 then
    if d == math.mininteger then return 0 end
    return shift(v, -d)
  end
  if d >= WIDTH then return ALL end
  -- fill the vacated high bits with copies of the sign bit
  return ((v >> d) | ~(ALL >> d)) & ALL
end

local function rotate(x, n)
  n = n & (WIDTH - 1)
  x = x & ALL
  if n == 0 then return x end
  return ((x << n) | (x >> (WIDTH - n))) & ALL
end

function bit32.lrotate(x, n)
  return rotate(argument("lrotate", 1, x), argument("lrotate", 2, n))
end

function bit32.rrotate(x, n)
  return rotate(argument("rrotate", 1, x), -argument("rrotate", 2, n))
end

-- Validates (field, width) the way 5.2 does; width defaults to 1.
local function field_args(fname, i, field, width)
  local f = argument(fname, i, field)
  local w = 1
  if width ~= nil then w = argument(fname, i + 1, width) end
  if f < 0 then bad(fname, i, "field cannot be negative") end
  if w <= 0 then bad(fname, i + 1, "width must be positive") end
  if f + w > WIDTH then error("trying to access non-existent bits", 0) end
  return f, w
end

local function mask(w)
  return ~((ALL << 1) << (w - 1)) & ALL
end

function bit32.extract(n, field, width)
  local v = argument("extract", 1, n) & ALL
  local f, w = field_args("extract", 2, field, width)
  return (v >> f) & mask(w)
end

function bit32.replace(n, v, field, width)
  local r = argument("replace", 1, n) & ALL
  local x = argument("replace", 2, v) & ALL
  local f, w = field_args("replace", 3, field, width)
  local m = mask(w)
  return ((r & ~(m << f)) | ((x & m) << f)) & ALL
end

return bit32
