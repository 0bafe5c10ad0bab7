-- Fixed-width big integers for ao processes, API-compatible with the public lua-bint library:
-- `local bint = require('.bint')(256)` gives a class of 256-bit two's-complement integers that
-- wrap on overflow, floor-divide with `//`, and fall back to Lua floats when mixed with
-- non-integral numbers.
--
-- A value is a table of `bits / W` unsigned words (W = 32 by default), least significant first,
-- so word arithmetic never exceeds the 64-bit range of Lua 5.3 integers.

local tointeger, mtype = math.tointeger, math.type
local math_abs, math_floor, math_ceil = math.abs, math.floor, math.ceil
local format, sub, byte, char = string.format, string.sub, string.byte, string.char
local concat = table.concat

-- Largest chunk of digits (base^k < 2^31) handled at once when converting to and from text.
local function chunk_size(base)
  local k, power = 0, 1
  while power * base < 0x80000000 do
    power = power * base
    k = k + 1
  end
  return k, power
end

local DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"

local newmodule = function(bits, wordbits)
  local W = wordbits or 32
  assert(type(bits) == "number" and bits % 1 == 0, "bits must be an integer")
  assert(W % 8 == 0 and W >= 8 and W <= 32, "wordbits must be 8, 16, 24 or 32")
  assert(bits >= 64 and bits % W == 0, "bits must be a multiple of wordbits and at least 64")
  local N = bits // W
  local MASK = (1 << W) - 1
  local TOP = 1 << (W - 1) -- sign bit inside the most significant word

  local bint = {}
  bint.__index = bint
  bint.bits = bits

  -------------------------------------------------------------------------------------------------
  -- word-level helpers (they work on raw word arrays and always build fresh results)
  -------------------------------------------------------------------------------------------------

  local function blank()
    return setmetatable({}, bint)
  end

  local function filled(v)
    local r = blank()
    for i = 1, N do r[i] = v end
    return r
  end

  local function clone(a)
    local r = blank()
    for i = 1, N do r[i] = a[i] end
    return r
  end

  local function overwrite(dst, src)
    for i = 1, N do dst[i] = src[i] end
    return dst
  end

  local function isbint(x)
    return rawequal(getmetatable(x), bint)
  end

  local function zero_words(a)
    for i = 1, N do
      if a[i] ~= 0 then return false end
    end
    return true
  end

  local function negative(a)
    return a[N] & TOP ~= 0
  end

  local function add_words(a, b)
    local r, carry = blank(), 0
    for i = 1, N do
      local s = a[i] + b[i] + carry
      r[i] = s & MASK
      carry = s >> W
    end
    return r
  end

  local function sub_words(a, b)
    local r, borrow = blank(), 0
    for i = 1, N do
      local d = a[i] - b[i] - borrow
      if d < 0 then
        r[i], borrow = d + MASK + 1, 1
      else
        r[i], borrow = d, 0
      end
    end
    return r
  end

  local function negate_words(a)
    local r, carry = blank(), 1
    for i = 1, N do
      local s = (~a[i] & MASK) + carry
      r[i] = s & MASK
      carry = s >> W
    end
    return r
  end

  -- Schoolbook product keeping only the low `bits` bits (that is the wrap-around).
  local function mul_words(a, b)
    local r = filled(0)
    for i = 1, N do
      local ai = a[i]
      if ai ~= 0 then
        local carry = 0
        for j = 1, N - i + 1 do
          local k = i + j - 1
          -- at most (2^W-1)^2 + 2*(2^W-1) < 2^64: fits the unsigned bit pattern
          local t = r[k] + ai * b[j] + carry
          r[k] = t & MASK
          carry = t >> W
        end
      end
    end
    return r
  end

  -- -1, 0 or 1 comparing unsigned values.
  local function ucmp(a, b)
    for i = N, 1, -1 do
      local x, y = a[i], b[i]
      if x ~= y then return x < y and -1 or 1 end
    end
    return 0
  end

  local function scmp(a, b)
    local na, nb = negative(a), negative(b)
    if na ~= nb then return na and -1 or 1 end
    return ucmp(a, b)
  end

  -- Multiply by a small factor and add a small term, in place (used by text parsing).
  local function mul_add_small(a, m, add)
    local carry = add
    for i = 1, N do
      local t = a[i] * m + carry
      a[i] = t & MASK
      carry = t >> W
    end
  end

  -- Divide by a small divisor (< 2^31); returns the quotient and the integer remainder.
  local function div_small(a, d)
    local q, rem = blank(), 0
    for i = N, 1, -1 do
      local cur = (rem << W) | a[i]
      q[i] = cur // d
      rem = cur % d
    end
    return q, rem
  end

  local function bit_length(a)
    for i = N, 1, -1 do
      local w = a[i]
      if w ~= 0 then
        local n = 0
        while w ~= 0 do
          w = w >> 1
          n = n + 1
        end
        return (i - 1) * W + n
      end
    end
    return 0
  end

  -- Unsigned division; the divisor must not be zero.
  local function udivmod_words(a, b)
    if ucmp(a, b) < 0 then return filled(0), clone(a) end
    local small = b[1] < 0x80000000
    for i = 2, N do
      if b[i] ~= 0 then small = false break end
    end
    if small then
      local q, rem = div_small(a, b[1])
      local r = filled(0)
      r[1] = rem
      return q, r
    end
    -- restoring binary long division from the top set bit down
    local q, r = filled(0), filled(0)
    for pos = bit_length(a) - 1, 0, -1 do
      local wi, bi = pos // W + 1, pos % W
      -- r = r * 2 + bit; remember the bit that falls off the top
      local carry = (a[wi] >> bi) & 1
      for i = 1, N do
        local t = (r[i] << 1) | carry
        r[i] = t & MASK
        carry = t >> W
      end
      if carry ~= 0 or ucmp(r, b) >= 0 then
        r = sub_words(r, b)
        q[wi] = q[wi] | (1 << bi)
      end
    end
    return q, r
  end

  local function shl_words(a, n)
    local r = filled(0)
    if n >= bits then return r end
    local ws, bs = n // W, n % W
    for i = N, ws + 1, -1 do
      local v = (a[i - ws] << bs) & MASK
      if bs > 0 and i - ws - 1 >= 1 then
        v = v | (a[i - ws - 1] >> (W - bs))
      end
      r[i] = v
    end
    return r
  end

  local function shr_words(a, n)
    local r = filled(0)
    if n >= bits then return r end
    local ws, bs = n // W, n % W
    for i = 1, N - ws do
      local v = a[i + ws] >> bs
      if bs > 0 and i + ws + 1 <= N then
        v = v | ((a[i + ws + 1] << (W - bs)) & MASK)
      end
      r[i] = v
    end
    return r
  end

  -------------------------------------------------------------------------------------------------
  -- construction and conversion
  -------------------------------------------------------------------------------------------------

  bint.zero = function() return filled(0) end

  bint.one = function()
    local r = filled(0)
    r[1] = 1
    return r
  end

  bint.maxinteger = function()
    local r = filled(MASK)
    r[N] = MASK & ~TOP
    return r
  end

  bint.mininteger = function()
    local r = filled(0)
    r[N] = TOP
    return r
  end

  bint.fromuinteger = function(x)
    x = tointeger(x)
    if not x then return end
    local r = blank()
    for i = 1, N do
      r[i] = (x >> (W * (i - 1))) & MASK -- shifts of 64 or more give 0
    end
    return r
  end
  local fromuinteger = bint.fromuinteger

  bint.frominteger = function(x)
    x = tointeger(x)
    if not x then return end
    if x < 0 then
      -- -x wraps for math.mininteger but its unsigned reading is still the right magnitude
      return negate_words(fromuinteger(-x))
    end
    return fromuinteger(x)
  end
  local frominteger = bint.frominteger

  bint.frombase = function(s, base)
    if type(s) ~= "string" then return end
    base = base or 10
    if not (2 <= base and base <= 36) then return end
    base = tointeger(base) or base -- a fractional base fails in tonumber below, as in aos
    local sign, body = s:match("^%s*([+-]?)(%w+)%s*$")
    if not body then return end
    if base == 10 and #body <= 18 then -- fits a Lua integer: one conversion, same value
      local v = tonumber(body, 10)
      if not v then return end
      local r = frominteger(v)
      if sign == "-" then r = negate_words(r) end
      return r
    end
    local k = chunk_size(base)
    local r = filled(0)
    local first = 1
    local len = #body
    -- the first chunk takes the remainder so later chunks are all k digits long
    local head = len % k
    if head == 0 then head = k end
    while first <= len do
      local last = first + head - 1
      local v = tonumber(sub(body, first, last), base)
      if not v then return end
      local scale = 1
      for _ = 1, head do scale = scale * base end
      mul_add_small(r, scale, v)
      first = last + 1
      head = k
    end
    if sign == "-" then r = negate_words(r) end
    return r
  end
  local frombase = bint.frombase

  bint.fromstring = function(s)
    if type(s) ~= "string" or not s:find("^[+-]?%w+$") then return end
    if s:find("^[+-]?0[xX]%x+$") then
      return frombase(s:gsub("0[xX]", "", 1), 16)
    end
    if s:find("^[+-]?0[bB][01]+$") then
      return frombase(s:gsub("0[bB]", "", 1), 2)
    end
    return frombase(s, 10)
  end
  local fromstring = bint.fromstring

  bint.fromle = function(buffer)
    assert(type(buffer) == "string", "buffer is not a string")
    local r = filled(0)
    local per = W // 8
    for i = 1, math.min(#buffer, bits // 8) do
      local wi, sh = (i - 1) // per + 1, ((i - 1) % per) * 8
      r[wi] = r[wi] | (byte(buffer, i) << sh)
    end
    return r
  end

  bint.frombe = function(buffer)
    assert(type(buffer) == "string", "buffer is not a string")
    return bint.fromle(buffer:reverse())
  end

  -- Returns the same bint (or a copy when asked) for bints; converts integral numbers and strings.
  bint.tobint = function(x, wantcopy)
    if isbint(x) then
      if wantcopy then return clone(x) end
      return x
    end
    local kind = type(x)
    if kind == "number" then return frominteger(x) end
    if kind == "string" then return fromstring(x) end
    return
  end
  local as_bint = bint.tobint

  bint.parse = function(x, wantcopy)
    local v = as_bint(x, wantcopy)
    if v then return v end
    return tonumber(x)
  end

  -- Numbers and strings are converted, bints copied; other values come back unchanged (as in
  -- the reference), and what cannot be converted raises.
  bint.new = function(x)
    if isbint(x) then return clone(x) end
    local made = x
    local kind = type(x)
    if kind == "number" then
      made = frominteger(x)
    elseif kind == "string" then
      made = fromstring(x)
    end
    if not made then error("value cannot be represented by a bint") end
    return made
  end

  -- Integral input for operations that make no sense on fractions.
  local function need(x)
    local v = as_bint(x)
    if not v then error("value has not integer representation") end
    return v
  end

  local function low64(a)
    local n = 0
    for i = 1, N do
      n = n | (a[i] << (W * (i - 1)))
    end
    return n
  end

  bint.touinteger = function(x)
    if isbint(x) then return low64(x) end
    local n = tointeger(x)
    if n then return n end
  end

  -- For bints the low 64 bits carry the sign already (two's complement), so this wraps like Lua.
  bint.tointeger = function(x)
    if isbint(x) then return low64(x) end
    local n = tointeger(x)
    if n then return n end
  end

  -- The value of non-negative words as a Lua integer when it is below 2^63, else nil.
  local function small_value(a)
    for i = N, 1, -1 do
      local lo = W * (i - 1)
      if lo >= 63 then
        if a[i] ~= 0 then return nil end
      elseif lo + W > 63 then
        if (a[i] >> (63 - lo)) ~= 0 then return nil end
      end
    end
    return low64(a)
  end

  bint.tobase = function(x, base, unsigned)
    x = as_bint(x)
    if not x then return end
    base = base or 10
    if type(base) ~= "number" or base < 2 or base > 36 or base % 1 ~= 0 then return end
    base = tointeger(base)
    if unsigned == nil then unsigned = base ~= 10 end
    local neg = not unsigned and negative(x)
    local v = neg and negate_words(x) or x
    if zero_words(v) then return "0" end
    if base == 10 then
      local n = small_value(v)
      if n then return (neg and "-" or "") .. format("%d", n) end
    end
    local k, power = chunk_size(base)
    local chunks = {}
    while not zero_words(v) do
      local rem
      v, rem = div_small(v, power)
      -- spell the chunk with exactly k digits; leading zeros are stripped at the end
      local digits = {}
      for i = k, 1, -1 do
        local d = rem % base
        digits[i] = sub(DIGITS, d + 1, d + 1)
        rem = rem // base
      end
      chunks[#chunks + 1] = concat(digits)
    end
    local out = {}
    for i = #chunks, 1, -1 do out[#out + 1] = chunks[i] end
    local text = concat(out):gsub("^0+", "")
    if neg then text = "-" .. text end
    return text
  end
  local tobase = bint.tobase

  bint.__tostring = function(x)
    return tobase(x, 10)
  end

  local MAXINT, MININT = frominteger(math.maxinteger), frominteger(math.mininteger)

  -- Lua integer when it fits, otherwise the nearest float.
  bint.tonumber = function(x)
    if isbint(x) then
      if scmp(x, MAXINT) <= 0 and scmp(x, MININT) >= 0 then return low64(x) end
      return tonumber(tobase(x, 10))
    end
    return tonumber(x)
  end
  local number_of = bint.tonumber

  bint.tole = function(x, trim)
    local v = need(x)
    local out = {}
    local per = W // 8
    for i = 1, bits // 8 do
      local wi, sh = (i - 1) // per + 1, ((i - 1) % per) * 8
      out[i] = char((v[wi] >> sh) & 0xFF)
    end
    local s = concat(out)
    if trim then s = s:gsub("\0+$", "") end
    return s
  end

  bint.tobe = function(x, trim)
    local s = bint.tole(x):reverse()
    if trim then s = s:gsub("^\0+", "") end
    return s
  end

  bint.trunc = function(x)
    if isbint(x) then return clone(x) end
    if type(x) ~= "number" then return end
    local i = tointeger(x)
    if i then return frominteger(i) end
    if x ~= x or x == math.huge or x == -math.huge then return end
    local t = x >= 0 and math.floor(x) or math.ceil(x)
    i = tointeger(t)
    if i then return frominteger(i) end
    -- beyond 64 bits: an integral float prints exactly with %.0f
    return frombase(format("%.0f", t), 10)
  end

  -------------------------------------------------------------------------------------------------
  -- predicates
  -------------------------------------------------------------------------------------------------

  bint.isbint = isbint

  bint.isintegral = function(x)
    return getmetatable(x) == bint or mtype(x) == "integer"
  end

  bint.isnumeric = function(x)
    return getmetatable(x) == bint or type(x) == "number"
  end

  bint.type = function(x)
    if getmetatable(x) == bint then return "bint" end
    return mtype(x)
  end

  bint.iszero = function(x)
    if isbint(x) then return zero_words(x) end
    return x == 0
  end

  bint.isone = function(x)
    if isbint(x) then
      if x[1] ~= 1 then return false end
      for i = 2, N do
        if x[i] ~= 0 then return false end
      end
      return true
    end
    return x == 1
  end

  bint.isminusone = function(x)
    if isbint(x) then
      for i = 1, N do
        if x[i] ~= MASK then return false end
      end
      return true
    end
    return x == -1
  end

  bint.isneg = function(x)
    if isbint(x) then return negative(x) end
    return x < 0
  end

  bint.ispos = function(x)
    if isbint(x) then return not negative(x) and not zero_words(x) end
    return x > 0
  end

  bint.iseven = function(x)
    if isbint(x) then return x[1] & 1 == 0 end
    return x % 2 == 0
  end

  bint.isodd = function(x)
    if isbint(x) then return x[1] & 1 == 1 end
    return x % 2 == 1
  end

  -------------------------------------------------------------------------------------------------
  -- arithmetic (bint when both sides are integral, Lua numbers otherwise)
  -------------------------------------------------------------------------------------------------

  bint.__add = function(x, y)
    local a, b = as_bint(x), as_bint(y)
    if a and b then return add_words(a, b) end
    return number_of(x) + number_of(y)
  end

  bint.__sub = function(x, y)
    local a, b = as_bint(x), as_bint(y)
    if a and b then return sub_words(a, b) end
    return number_of(x) - number_of(y)
  end

  bint.__mul = function(x, y)
    local a, b = as_bint(x), as_bint(y)
    if a and b then return mul_words(a, b) end
    return number_of(x) * number_of(y)
  end

  bint.__unm = function(x)
    local a = as_bint(x)
    if a then return negate_words(a) end
    return -number_of(x)
  end

  bint.abs = function(x)
    local a = as_bint(x)
    if a then return negative(a) and negate_words(a) or clone(a) end
    return math_abs(x)
  end
  local babs = bint.abs

  bint.inc = function(x)
    local a = as_bint(x)
    if a then return add_words(a, bint.one()) end
    return x + 1
  end

  bint.dec = function(x)
    local a = as_bint(x)
    if a then return sub_words(a, bint.one()) end
    return x - 1
  end

  bint.floor = function(x)
    if isbint(x) then return clone(x) end
    return bint.trunc(math_floor(number_of(x)))
  end

  bint.ceil = function(x)
    if isbint(x) then return clone(x) end
    return bint.trunc(math_ceil(number_of(x)))
  end

  local function nonzero(b)
    if zero_words(b) then error("attempt to divide by zero") end
  end

  bint.udivmod = function(x, y)
    local a, b = bint.new(x), bint.new(y)
    nonzero(b)
    return udivmod_words(a, b)
  end

  bint.udiv = function(x, y)
    local q = bint.udivmod(x, y)
    return q
  end

  bint.umod = function(x, y)
    local _, r = bint.udivmod(x, y)
    return r
  end
  local umod = bint.umod

  -- Truncated quotient and remainder of signed bints (remainder takes the dividend's sign).
  local function tdivmod_words(a, b)
    local na, nb = negative(a), negative(b)
    local q, r = udivmod_words(na and negate_words(a) or a, nb and negate_words(b) or b)
    if na ~= nb then q = negate_words(q) end
    if na then r = negate_words(r) end
    return q, r
  end

  local function float_trunc(v)
    return v - math.fmod(v, 1.0)
  end

  bint.tdivmod = function(x, y)
    local a, b = as_bint(x), as_bint(y)
    if a and b then
      nonzero(b)
      if bint.isminusone(b) and ucmp(a, bint.mininteger()) == 0 then
        error("division overflow")
      end
      return tdivmod_words(a, b)
    end
    return float_trunc(number_of(x) / number_of(y)), math.fmod(number_of(x), number_of(y))
  end

  bint.tdiv = function(x, y)
    local q = bint.tdivmod(x, y)
    return q
  end

  bint.tmod = function(x, y)
    local _, r = bint.tdivmod(x, y)
    return r
  end

  -- Floor division as Lua's `//` and `%`: the remainder takes the divisor's sign.
  bint.idivmod = function(x, y)
    local a, b = as_bint(x), as_bint(y)
    if a and b then
      nonzero(b)
      local q, r = tdivmod_words(a, b)
      if not zero_words(r) and negative(a) ~= negative(b) then
        q = sub_words(q, bint.one())
        r = add_words(r, b)
      end
      return q, r
    end
    return number_of(x) // number_of(y), number_of(x) % number_of(y)
  end

  bint.__idiv = function(x, y)
    local q = bint.idivmod(x, y)
    return q
  end

  bint.__mod = function(x, y)
    local _, r = bint.idivmod(x, y)
    return r
  end

  bint.__div = function(x, y)
    return number_of(x) / number_of(y)
  end

  bint.__pow = function(x, y)
    return number_of(x) ^ number_of(y)
  end

  -- Integer power by squaring; a negative exponent is read as unsigned (so it wraps).
  bint.ipow = function(x, y)
    local base, e = bint.new(x), bint.new(y)
    local result = bint.one()
    while not zero_words(e) do
      if e[1] & 1 == 1 then result = mul_words(result, base) end
      e = shr_words(e, 1)
      if not zero_words(e) then base = mul_words(base, base) end
    end
    return result
  end

  -- (x ^ y) mod m on unsigned values; products wrap at `bits` like the reference library.
  bint.upowmod = function(x, y, m)
    local mod = bint.new(m)
    if bint.isone(mod) then return bint.zero() end
    local base, e = umod(bint.new(x), mod), bint.new(y)
    local result = bint.one()
    while not zero_words(e) do
      if e[1] & 1 == 1 then result = umod(mul_words(result, base), mod) end
      e = shr_words(e, 1)
      base = umod(mul_words(base, base), mod)
    end
    return result
  end

  -------------------------------------------------------------------------------------------------
  -- bitwise
  -------------------------------------------------------------------------------------------------

  local function shift_amount(y)
    if isbint(y) then return low64(y) end
    local n = tointeger(y)
    if not n then error("value has no integer representation") end
    return n
  end

  local function shift(a, n)
    if n < 0 then
      if n == math.mininteger then return filled(0) end
      return shr_words(a, -n)
    end
    return shl_words(a, n)
  end

  bint.__shl = function(x, y)
    return shift(need(x), shift_amount(y))
  end

  bint.__shr = function(x, y)
    local n = shift_amount(y)
    if n == math.mininteger then return filled(0) end
    return shift(need(x), -n)
  end

  local function wordwise(op)
    return function(x, y)
      local a, b = need(x), need(y)
      local r = blank()
      for i = 1, N do r[i] = op(a[i], b[i]) end
      return r
    end
  end

  bint.__band = wordwise(function(p, q) return p & q end)
  bint.__bor = wordwise(function(p, q) return p | q end)
  bint.__bxor = wordwise(function(p, q) return p ~ q end)

  bint.__bnot = function(x)
    local r = blank()
    for i = 1, N do r[i] = ~x[i] & MASK end
    return r
  end

  -- Keep only the lowest y bits.
  bint.bwrap = function(x, y)
    local a = need(x)
    y = shift_amount(y)
    if y <= 0 then return filled(0) end
    if y >= bits then return clone(a) end
    return shr_words(shl_words(a, bits - y), bits - y)
  end

  bint.brol = function(x, y)
    local a = need(x)
    local n = shift_amount(y) % bits
    if n == 0 then return clone(a) end
    local l, r = shl_words(a, n), shr_words(a, bits - n)
    for i = 1, N do l[i] = l[i] | r[i] end
    return l
  end

  bint.bror = function(x, y)
    return bint.brol(x, -(shift_amount(y) % bits))
  end

  -------------------------------------------------------------------------------------------------
  -- comparison
  -------------------------------------------------------------------------------------------------

  bint.eq = function(x, y)
    local a, b = as_bint(x), as_bint(y)
    if a and b then return ucmp(a, b) == 0 end
    return number_of(x) == number_of(y)
  end

  bint.__eq = bint.eq

  bint.__lt = function(x, y)
    local a, b = as_bint(x), as_bint(y)
    if a and b then return scmp(a, b) < 0 end
    return number_of(x) < number_of(y)
  end

  bint.__le = function(x, y)
    local a, b = as_bint(x), as_bint(y)
    if a and b then return scmp(a, b) <= 0 end
    return number_of(x) <= number_of(y)
  end

  bint.ult = function(x, y)
    return ucmp(need(x), need(y)) < 0
  end

  bint.ule = function(x, y)
    return ucmp(need(x), need(y)) <= 0
  end

  bint.max = function(x, y)
    local a, b = as_bint(x), as_bint(y)
    if a and b then return clone(scmp(a, b) < 0 and b or a) end
    return bint.parse(math.max(x, y))
  end

  bint.min = function(x, y)
    local a, b = as_bint(x), as_bint(y)
    if a and b then return clone(scmp(a, b) > 0 and b or a) end
    return bint.parse(math.min(x, y))
  end

  -------------------------------------------------------------------------------------------------
  -- in-place variants (methods on a bint, returning it)
  -------------------------------------------------------------------------------------------------

  function bint:_assign(y) return overwrite(self, need(y)) end
  function bint:_inc() return overwrite(self, bint.inc(self)) end
  function bint:_dec() return overwrite(self, bint.dec(self)) end
  function bint:_abs() return overwrite(self, babs(self)) end
  function bint:_unm() return overwrite(self, negate_words(self)) end
  function bint:_add(y) return overwrite(self, add_words(self, need(y))) end
  function bint:_sub(y) return overwrite(self, sub_words(self, need(y))) end
  function bint:_band(y) return overwrite(self, bint.__band(self, y)) end
  function bint:_bor(y) return overwrite(self, bint.__bor(self, y)) end
  function bint:_bxor(y) return overwrite(self, bint.__bxor(self, y)) end
  function bint:_bnot() return overwrite(self, bint.__bnot(self)) end
  function bint:_shlone() return overwrite(self, shl_words(self, 1)) end
  function bint:_shrone() return overwrite(self, shr_words(self, 1)) end
  function bint:_shlwords(n) return overwrite(self, shl_words(self, n * W)) end
  function bint:_shrwords(n) return overwrite(self, shr_words(self, n * W)) end

  -- `bint(x)` is `bint.new(x)`.
  local module_meta = { __call = function(_, x) return bint.new(x) end }
  setmetatable(bint, module_meta)

  return bint
end

return newmodule
