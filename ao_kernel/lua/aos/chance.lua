-- Deterministic random numbers for ao processes: a Mersenne Twister (MT19937) on 64-bit Lua
-- integers masked to 32 bits. aos seeds it once from the first message and then serves
-- `math.random` from it: () -> chance.random(), (n) -> chance.integer(1, n),
-- (a, b) -> chance.integer(a, b).
local chance = { _version = "ao_kernel-chance 1" }

local N, M = 624, 397
local LOW32 = 0xFFFFFFFF
local UPPER, LOWER = 0x80000000, 0x7FFFFFFF
local TWIST = 0x9908B0DF

local state = {}
local index = N + 1 -- "needs regeneration"

function chance.seed(seed)
  seed = math.tointeger(seed) or math.floor(seed)
  state[0] = seed & LOW32
  for i = 1, N - 1 do
    local prev = state[i - 1]
    state[i] = (1812433253 * (prev ~ (prev >> 30)) + i) & LOW32
  end
  index = N
end

-- Refill all 624 words of state at once.
local function regenerate()
  for i = 0, N - 1 do
    local y = (state[i] & UPPER) | (state[(i + 1) % N] & LOWER)
    local v = state[(i + M) % N] ~ (y >> 1)
    if y & 1 == 1 then v = v ~ TWIST end
    state[i] = v
  end
  index = 0
end

-- Next raw 32-bit output (MT19937 genrand_int32).
function chance.int32()
  if index > N then chance.seed(5489) end -- reference default seed when never seeded
  if index >= N then regenerate() end
  local y = state[index]
  index = index + 1
  y = y ~ (y >> 11)
  y = y ~ ((y << 7) & 0x9D2C5680)
  y = y ~ ((y << 15) & 0xEFC60000)
  y = y ~ (y >> 18)
  return y & LOW32
end

-- Float in [0, 1) from one 32-bit draw.
function chance.random()
  return chance.int32() / 4294967296.0
end

-- Integer in [min, max], both inclusive.
function chance.integer(min, max)
  return min + math.floor(chance.random() * (max - min + 1))
end

-- The seed aos derives from the first message: block height followed by the byte sum of
-- owner .. module .. id, read back as a number.
function chance.seed_from(block_height, owner, module, id)
  local text = tostring(owner) .. tostring(module) .. tostring(id)
  local sum = 0
  for i = 1, #text do sum = sum + text:byte(i) end
  return tonumber(tostring(block_height) .. tostring(sum))
end

return chance
