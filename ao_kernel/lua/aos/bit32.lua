-- The Lua 5.2 `bit32` library as aos provides it (a Lua module, not the C one): values are
-- read with math.tointeger and kept to their low 32 bits; anything else fails with
-- "bad argument #i to 'bit32' (number has no integer representation)" reported at the caller.
-- Shift counts, fields and widths are not checked: they go straight into Lua's own operators,
-- so out-of-range ones give 0 or masked results and bad ones fail with Lua's error texts.
local bit32 = {}

local LOW32 = 0xFFFFFFFF

-- `position` is the argument number quoted in the error (default 1).
local function toint(value, position)
  local n = math.tointeger(value)
  if n == nil then
    error(string.format("bad argument #%d to 'bit32' (number has no integer representation)",
      position or 1), 3)
  end
  return n & LOW32
end

function bit32.band(...)
  local acc = LOW32
  for i = 1, select("#", ...) do acc = acc & toint((select(i, ...)), i) end
  return acc
end

function bit32.bor(...)
  local acc = 0
  for i = 1, select("#", ...) do acc = acc | toint((select(i, ...)), i) end
  return acc
end

function bit32.bxor(...)
  local acc = 0
  for i = 1, select("#", ...) do acc = acc ~ toint((select(i, ...)), i) end
  return acc
end

function bit32.btest(...)
  return bit32.band(...) ~= 0
end

function bit32.bnot(x)
  return ~toint(x) & LOW32
end

-- Negative counts shift the other way; 32 or more clears everything.
function bit32.lshift(x, n)
  local v = toint(x)
  local count = math.tointeger(n)
  if count < 0 then return (v >> -count) & LOW32 end
  return (v << count) & LOW32
end

function bit32.rshift(x, n)
  return bit32.lshift(x, -n)
end

-- Right shift that copies the sign bit (bit 31) into the vacated positions.
function bit32.arshift(x, n)
  local v = toint(x)
  local count = math.tointeger(n)
  if count < 0 or v & 0x80000000 == 0 then
    if count < 0 then return (v << -count) & LOW32 end
    return (v >> count) & LOW32
  end
  if count >= 32 then return LOW32 end
  return ((v >> count) | ~(LOW32 >> count)) & LOW32
end

function bit32.lrotate(x, n)
  local v = toint(x)
  local turn = math.tointeger(n) % 32
  if turn == 0 then return v end
  return ((v << turn) | (v >> (32 - turn))) & LOW32
end

function bit32.rrotate(x, n)
  return bit32.lrotate(x, -n)
end

-- `width` bits of `n` starting at bit `field` (width 1 by default).
function bit32.extract(n, field, width)
  local v = toint(n)
  local f, w = field, width or 1
  return (v >> f) & ((1 << w) - 1)
end

-- `n` with `width` bits at `field` replaced by the low bits of `v`.
function bit32.replace(n, v, field, width)
  local base, bits = toint(n), toint(v)
  local f, w = field, width or 1
  local m = (1 << w) - 1
  return ((base & ~(m << f)) | ((bits & m) << f)) & LOW32
end

return bit32
