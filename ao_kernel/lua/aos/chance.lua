-- Deterministic random numbers for ao processes: a Mersenne Twister (MT19937) on 64-bit Lua
-- integers masked to 32 bits. aos seeds it once from the first message and then serves
-- `math.random` from it: () -> chance.random(), (n) -> chance.integer(1, n),
-- (a, b) -> chance.integer(a, b).
local chance = {}

local SIZE, SHIFT = 624, 397
local WORD = 0xFFFFFFFF
local HIGH_BIT, LOW_BITS = 0x80000000, 0x7FFFFFFF
local MATRIX = 0x9908B0DF

local mt = {}
local cursor = SIZE + 1 -- past the end: never seeded yet
local pending = nil     -- a seed given but not yet spread over the state (done at first draw)

local function spread(word)
  mt[0] = word
  for i = 1, SIZE - 1 do
    local last = mt[i - 1]
    mt[i] = (1812433253 * (last ~ (last >> 30)) + i) & WORD
  end
  cursor = SIZE
end

-- The seed is used as given: bitwise operators reject nil and non-integral floats, as in aos.
-- Every process is seeded by its first message, and most never draw, so the 624 words of
-- state are only filled at the first draw.
function chance.seed(s)
  pending = s & WORD
  cursor = SIZE
end

-- Refill all 624 words of state at once.
local function twist()
  for i = 0, SIZE - 1 do
    local bits = (mt[i] & HIGH_BIT) | (mt[(i + 1) % SIZE] & LOW_BITS)
    local word = mt[(i + SHIFT) % SIZE] ~ (bits >> 1)
    if bits & 1 == 1 then word = word ~ MATRIX end
    mt[i] = word
  end
  cursor = 0
end

-- Next raw 32-bit output (MT19937 genrand_int32).
local function next_word()
  if pending ~= nil then
    spread(pending)
    pending = nil
  elseif cursor > SIZE then
    spread(5489) -- the reference default seed
  end
  if cursor >= SIZE then twist() end
  local y = mt[cursor]
  cursor = cursor + 1
  y = y ~ (y >> 11)
  y = y ~ ((y << 7) & 0x9D2C5680)
  y = y ~ ((y << 15) & 0xEFC60000)
  y = y ~ (y >> 18)
  return y & WORD
end

-- Float in [0, 1) from one 32-bit draw.
function chance.random()
  return next_word() / 4294967296.0
end

-- Integer in [min, max], both inclusive.
function chance.integer(min, max)
  if not (min <= max) then error("max must bigger than min") end
  return math.floor(chance.random() * (max - min + 1) + min)
end

return chance
