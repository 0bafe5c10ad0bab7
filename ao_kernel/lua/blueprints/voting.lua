-- ao_kernel voting blueprint: stake-weighted yay/nay votes on a Target, settled at a deadline.
-- Needs the staking blueprint's `Stakers` (load token.lua and staking.lua first).
--
--   Vote (Target, Side = yay|nay, Deadline = blocks from now)
--       -> adds the voter's stake to Votes[Target][Side]. The stake is the staking blueprint's
--          string amount, compared with a number exactly as aos does, so at aos 2.0.4 every
--          Vote by a staker fails with "attempt to compare number with string" (and a voter
--          without a stake fails with "attempt to index a nil value").
-- An appended "continue" handler runs on every message that gets that far: past a vote's
-- deadline it prints "Handle Vote" when yay > nay and forgets the vote.

Balances = Balances or {}
Votes = Votes or {}

local function cast(msg)
  local weight = Stakers[msg.From].amount
  local target, side = msg.Tags.Target, msg.Tags.Side
  local closes_at = tonumber(msg['Block-Height']) + tonumber(msg.Tags.Deadline)
  assert(weight > 0, "No staked tokens to vote")
  local tally = Votes[target]
  if tally == nil then
    tally = { yay = 0, nay = 0, deadline = closes_at }
    Votes[target] = tally
  end
  tally[side] = tally[side] + weight
end

local function settle(msg)
  local now = tonumber(msg['Block-Height'])
  for target, tally in pairs(Votes) do
    if now >= tally.deadline then
      if tally.yay > tally.nay then
        print("Handle Vote")
      end
      Votes[target] = nil
    end
  end
end

Handlers.add('vote', Handlers.utils.hasMatchingTag('Action', 'Vote'), cast)
Handlers.add('finalize', function() return "continue" end, settle)
