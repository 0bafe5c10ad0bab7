-- ao_kernel staking blueprint: lock token balances for a while. Needs the token blueprint's
-- `Balances` ledger (load token.lua first). Load it by evaluating this file.
--
--   Stake (Quantity)    -> moves Quantity from Balances to Stakers[From].amount; the stake can
--                          be released UnstakeDelay blocks (670) after the latest Stake
--   Unstake (Quantity)  -> moves Quantity out of the stake into Unstaking[From] (a newer
--                          Unstake replaces the pending one); released at that height
--   Stakers             -> reply Data = JSON of Stakers
-- A prepended "continue" handler runs first on every message and pays out every pending
-- unstake whose release height has been reached.

local bint = require('.bint')(256)
local json = require('json')

Variant = "0.0.4"
Stakers = Stakers or {}
Unstaking = Unstaking or {}
UnstakeDelay = UnstakeDelay or 670

local function plus(a, b)
  return tostring(bint(a) + bint(b))
end

local function minus(a, b)
  return tostring(bint(a) - bint(b))
end

local function height_of(msg)
  return tonumber(msg['Block-Height'])
end

local function release_due(msg)
  local now = height_of(msg)
  for account, pending in pairs(Unstaking) do
    if pending.release_at == nil or now >= pending.release_at then
      Balances[account] = plus(Balances[account] or "0", pending.amount)
      Unstaking[account] = nil
    end
  end
end

local function stake(msg)
  local qty = msg.Tags.Quantity
  local held = Balances[msg.From]
  assert(held ~= nil and bint(held) >= bint(qty), "Insufficient balance to stake")
  Balances[msg.From] = minus(held, qty)
  local entry = Stakers[msg.From] or { amount = "0" }
  entry.amount = plus(entry.amount, qty)
  entry.unstake_at = height_of(msg) + UnstakeDelay
  Stakers[msg.From] = entry
  print("Successfully Staked " .. qty)
  msg.reply({ Data = "Successfully Staked " .. qty })
end

local function unstake(msg)
  local qty = msg.Tags.Quantity
  local entry = Stakers[msg.From]
  assert(entry ~= nil and bint(entry.amount) >= bint(qty), "Insufficient staked amount")
  entry.amount = minus(entry.amount, qty)
  Unstaking[msg.From] = { amount = msg.Quantity, release_at = entry.unstake_at }
  msg.reply({ Data = "Successfully unstaked " .. qty })
end

Handlers.add('staking.balances', 'Stakers', function(msg)
  msg.reply({ Data = json.encode(Stakers) })
end)
Handlers.add('staking.stake', Handlers.utils.hasMatchingTag('Action', 'Stake'), stake)
Handlers.add('staking.unstake', Handlers.utils.hasMatchingTag('Action', 'Unstake'), unstake)
Handlers.prepend('staking.finalize', function() return "continue" end, release_due)
