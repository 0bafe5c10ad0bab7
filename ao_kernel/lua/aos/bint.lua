-- Fixed-width big integers for ao processes, API-compatible with the public lua-bint library:
-- `local bint = require('.bint')(256)` gives a class of 256-bit two's-complement integers that
-- wrap on overflow, floor-divide with `//`, and fall back to Lua floats when mixed with
-- non-integral numbers.
--
-- A value is a table of `bits / W` unsigned words (W = 32 by default), least significant first,
-- so word arithmetic never exceeds the 64-bit range of Lua 5.3 integers.

local tointeger, mtype = math.tointeger, math.type
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

local function newmodule(bits, wordbits)
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
    return getmetatable(x) == bint
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

  function bint.zero() return filled(0) end

  function bint.one()
    local r = filled(0)
    r[1] = 1
    return r
  end

  function bint.maxinteger()
    local r = filled(MASK)
    r[N] = MASK & ~TOP
    return r
  end

  function bint.mininteger()
    local r = filled(0)
    r[N] = TOP
    return r
  end

  function bint.fromuinteger(x)
    x = tointeger(x)
    if not x then return nil end
    local r = blank()
    for i = 1, N do
      r[i] = (x >> (W * (i - 1))) & MASK -- shifts of 64 or more give 0
    end
    return r
  end
  local fromuinteger = bint.fromuinteger

  function bint.frominteger(x)
    x = tointeger(x)
    if not x then return nil end
    if x < 0 then
      -- -x wraps for math.mininteger but its unsigned reading is still the right magnitude
      return negate_words(fromuinteger(-x))
    end
    return fromuinteger(x)
  end
  local frominteger = bint.frominteger

  function bint.frombase(s, base)
    if type(s) ~= "string" then return nil end
    base = base or 10
    if type(base) ~= "number" or base < 2 or base > 36 or base % 1 ~= 0 then return nil end
    base = tointeger(base)
    local sign, body = s:match("^([+-]?)(%w+)$")
    if not body then return nil end
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
      if not v then return nil end
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

  function bint.fromstring(s)
    if type(s) ~= "string" then return nil end
    if s:find("^[+-]?0[xX]%x+$") then
      return frombase(s:gsub("0[xX]", "", 1), 16)
    end
    if s:find("^[+-]?0[bB][01]+$") then
      return frombase(s:gsub("0[bB]", "", 1), 2)
    end
    return frombase(s, 10)
  end
  local fromstring = bint.fromstring

  function bint.fromle(buffer)
    local r = filled(0)
    local per = W // 8
    for i = 1, math.min(#buffer, bits // 8) do
      local wi, sh = (i - 1) // per + 1, ((i - 1) % per) * 8
      r[wi] = r[wi] | (byte(buffer, i) << sh)
    end
    return r
  end

  function bint.frombe(buffer)
    return bint.fromle(buffer:reverse())
  end

  -- Returns the same bint (or a copy when asked) for bints; converts integral numbers and strings.
  function bint.tobint(x, wantcopy)
    if getmetatable(x) == bint then
      if wantcopy then return clone(x) end
      return x
    end
    local kind = type(x)
    if kind == "number" then return frominteger(x) end
    if kind == "string" then return fromstring(x) end
    return nil
  end
  local tobint = bint.tobint

  function bint.parse(x, wantcopy)
    local v = tobint(x, wantcopy)
    if v then return v end
    return tonumber(x)
  end

  function bint.new(x)
    if getmetatable(x) == bint then return clone(x) end
    local v
    local kind = type(x)
    if kind == "number" then
      v = frominteger(x)
    elseif kind == "string" then
      v = fromstring(x)
    end
    if not v then error("value cannot be represented by a bint", 0) end
    return v
  end

  -- Integral input for operations that make no sense on fractions.
  local function need(x)
    local v = tobint(x)
    if not v then error("value has no integer representation", 0) end
    return v
  end

  local function low64(a)
    local n = 0
    for i = 1, N do
      n = n | (a[i] << (W * (i - 1)))
    end
    return n
  end

  function bint.touinteger(x)
    if isbint(x) then return low64(x) end
    return tointeger(x)
  end

  -- For bints the low 64 bits carry the sign already (two's complement), so this wraps like Lua.
  function bint.tointeger(x)
    if isbint(x) then return low64(x) end
    return tointeger(x)
  end

  function bint.tobase(x, base, unsigned)
    x = tobint(x)
    if not x then return nil end
    base = base or 10
    if type(base) ~= "number" or base < 2 or base > 36 or base % 1 ~= 0 then return nil end
    base = tointeger(base)
    if unsigned == nil then unsigned = base ~= 10 end
    local neg = not unsigned and negative(x)
    local v = neg and negate_words(x) or x
    if zero_words(v) then return "0" end
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

  function bint.__tostring(x)
    return tobase(x, 10)
  end

  local MAXINT, MININT = frominteger(math.maxinteger), frominteger(math.mininteger)

  -- Lua integer when it fits, otherwise the nearest float.
  function bint.tonumber(x)
    if isbint(x) then
      if scmp(x, MAXINT) <= 0 and scmp(x, MININT) >= 0 then return low64(x) end
      return tonumber(tobase(x, 10))
    end
    return tonumber(x)
  end
  local number_of = bint.tonumber

  function bint.tole(x, trim)
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

  function bint.tobe(x, trim)
    local s = bint.tole(x):reverse()
    if trim then s = s:gsub("^\0+", "") end
    return s
  end

  function bint.trunc(x)
    if isbint(x) then return clone(x) end
    if type(x) ~= "number" then return nil end
    local i = tointeger(x)
    if i then return frominteger(i) end
    if x ~= x or x == math.huge or x == -math.huge then return nil end
    local t = x >= 0 and math.floor(x) or math.ceil(x)
    i = tointeger(t)
    if i then return frominteger(i) end
    -- beyond 64 bits: an integral float prints exactly with %.0f
    return frombase(format("%.0f", t), 10)
  end

  -------------------------------------------------------------------------------------------------
  -- predicates
  -------------------------------------------------------------------------------------------------

  function bint.isbint(x) return getmetatable(x) == bint end

  function bint.isintegral(x)
    return getmetatable(x) == bint or mtype(x) == "integer"
  end

  function bint.isnumeric(x)
    return getmetatable(x) == bint or type(x) == "number"
  end

  function bint.type(x)
    if getmetatable(x) == bint then return "bint" end
    return mtype(x)
  end

  function bint.iszero(x)
    if isbint(x) then return zero_words(x) end
    return x == 0
  end

  function bint.isone(x)
    if isbint(x) then
      if x[1] ~= 1 then return false end
      for i = 2, N do
        if x[i] ~= 0 then return false end
      end
      return true
    end
    return x == 1
  end

  function bint.isminusone(x)
    if isbint(x) then
      for i = 1, N do
        if x[i] ~= MASK then return false end
      end
      return true
    end
    return x == -1
  end

  function bint.isneg(x)
    if isbint(x) then return negative(x) end
    return x < 0
  end

  function bint.ispos(x)
    if isbint(x) then return not negative(x) and not zero_words(x) end
    return x > 0
  end

  function bint.iseven(x)
    if isbint(x) then return x[1] & 1 == 0 end
    return x % 2 == 0
  end

  function bint.isodd(x)
    if isbint(x) then return x[1] & 1 == 1 end
    return x % 2 == 1
  end

  -------------------------------------------------------------------------------------------------
  -- arithmetic (bint when both sides are integral, Lua numbers otherwise)
  -------------------------------------------------------------------------------------------------

  local function mixed(on_bints, on_numbers)
    return function(x, y)
      local a, b = tobint(x), tobint(y)
      if a and b then return on_bints(a, b) end
      return on_numbers(number_of(x), number_of(y))
    end
  end

  bint.__add = mixed(add_words, function(x, y) return x + y end)
  bint.__sub = mixed(sub_words, function(x, y) return x - y end)
  bint.__mul = mixed(mul_words, function(x, y) return x * y end)

  function bint.__unm(x)
    local a = tobint(x)
    if a then return negate_words(a) end
    return -number_of(x)
  end

  function bint.abs(x)
    local a = tobint(x)
    if a then return negative(a) and negate_words(a) or clone(a) end
    return math.abs(number_of(x))
  end
  local babs = bint.abs

  function bint.inc(x)
    local a = tobint(x)
    if a then return add_words(a, bint.one()) end
    return x + 1
  end

  function bint.dec(x)
    local a = tobint(x)
    if a then return sub_words(a, bint.one()) end
    return x - 1
  end

  function bint.floor(x)
    if isbint(x) then return clone(x) end
    return bint.trunc(math.floor(x))
  end

  function bint.ceil(x)
    if isbint(x) then return clone(x) end
    return bint.trunc(math.ceil(x))
  end

  local function nonzero(b)
    if zero_words(b) then error("attempt to divide by zero", 0) end
  end

  function bint.udivmod(x, y)
    local a, b = need(x), need(y)
    nonzero(b)
    return udivmod_words(a, b)
  end

  function bint.udiv(x, y)
    local q = bint.udivmod(x, y)
    return q
  end

  function bint.umod(x, y)
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

  function bint.tdivmod(x, y)
    local a, b = tobint(x), tobint(y)
    if a and b then
      nonzero(b)
      if bint.isminusone(b) and ucmp(a, bint.mininteger()) == 0 then
        error("division overflow", 0)
      end
      return tdivmod_words(a, b)
    end
    local nx, ny = number_of(x), number_of(y)
    return float_trunc(nx / ny), math.fmod(nx, ny)
  end

  function bint.tdiv(x, y)
    local q = bint.tdivmod(x, y)
    return q
  end

  function bint.tmod(x, y)
    local _, r = bint.tdivmod(x, y)
    return r
  end

  -- Floor division as Lua's `//` and `%`: the remainder takes the divisor's sign.
  function bint.idivmod(x, y)
    local a, b = tobint(x), tobint(y)
    if a and b then
      nonzero(b)
      local q, r = tdivmod_words(a, b)
      if not zero_words(r) and negative(a) ~= negative(b) then
        q = sub_words(q, bint.one())
        r = add_words(r, b)
      end
      return q, r
    end
    local nx, ny = number_of(x), number_of(y)
    return nx // ny, nx % ny
  end

  function bint.__idiv(x, y)
    local q = bint.idivmod(x, y)
    return q
  end

  function bint.__mod(x, y)
    local _, r = bint.idivmod(x, y)
    return r
  end

  function bint.__div(x, y)
    return number_of(x) / number_of(y)
  end

  function bint.__pow(x, y)
    return number_of(x) ^ number_of(y)
  end

  -- Integer power by squaring; a negative exponent is read as unsigned (so it wraps).
  function bint.ipow(x, y)
    local base, e = need(x), clone(need(y))
    local result = bint.one()
    while not zero_words(e) do
      if e[1] & 1 == 1 then result = mul_words(result, base) end
      e = shr_words(e, 1)
      if not zero_words(e) then base = mul_words(base, base) end
    end
    return result
  end

  -- (x ^ y) mod m on unsigned values; products wrap at `bits` like the reference library.
  function bint.upowmod(x, y, m)
    local mod = need(m)
    if bint.isone(mod) then return bint.zero() end
    local base, e = umod(need(x), mod), clone(need(y))
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
    if not n then error("value has no integer representation", 0) end
    return n
  end

  local function shift(a, n)
    if n < 0 then
      if n == math.mininteger then return filled(0) end
      return shr_words(a, -n)
    end
    return shl_words(a, n)
  end

  function bint.__shl(x, y)
    return shift(need(x), shift_amount(y))
  end

  function bint.__shr(x, y)
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

  function bint.__bnot(x)
    local a = need(x)
    local r = blank()
    for i = 1, N do r[i] = ~a[i] & MASK end
    return r
  end

  -- Keep only the lowest y bits.
  function bint.bwrap(x, y)
    local a = need(x)
    if y <= 0 then return filled(0) end
    if y >= bits then return clone(a) end
    return shr_words(shl_words(a, bits - y), bits - y)
  end

  function bint.brol(x, y)
    local a = need(x)
    local n = shift_amount(y) % bits
    if n == 0 then return clone(a) end
    local l, r = shl_words(a, n), shr_words(a, bits - n)
    for i = 1, N do l[i] = l[i] | r[i] end
    return l
  end

  function bint.bror(x, y)
    return bint.brol(x, -(shift_amount(y) % bits))
  end

  -------------------------------------------------------------------------------------------------
  -- comparison
  -------------------------------------------------------------------------------------------------

  function bint.eq(x, y)
    local a, b = tobint(x), tobint(y)
    if a and b then return ucmp(a, b) == 0 end
    return number_of(x) == number_of(y)
  end

  bint.__eq = bint.eq

  function bint.__lt(x, y)
    local a, b = tobint(x), tobint(y)
    if a and b then return scmp(a, b) < 0 end
    return number_of(x) < number_of(y)
  end

  function bint.__le(x, y)
    local a, b = tobint(x), tobint(y)
    if a and b then return scmp(a, b) <= 0 end
    return number_of(x) <= number_of(y)
  end

  function bint.ult(x, y)
    return ucmp(need(x), need(y)) < 0
  end

  function bint.ule(x, y)
    return ucmp(need(x), need(y)) <= 0
  end

  function bint.max(x, y)
    local a, b = tobint(x), tobint(y)
    if a and b then return clone(scmp(a, b) < 0 and b or a) end
    return math.max(number_of(x), number_of(y))
  end

  function bint.min(x, y)
    local a, b = tobint(x), tobint(y)
    if a and b then return clone(scmp(a, b) > 0 and b or a) end
    return math.min(number_of(x), number_of(y))
  end

  -------------------------------------------------------------------------------------------------
  -- in-place variants (methods on a bint, returning it)
  -------------------------------------------------------------------------------------------------

  function bint:_zero() return overwrite(self, filled(0)) end
  function bint:_one() return overwrite(self, bint.one()) end
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

  -- `bint(x)` is `bint.new(x)`.
  setmetatable(bint, {
    __call = function(_, x) return bint.new(x) end,
  })

  return bint
end

return newmodule
