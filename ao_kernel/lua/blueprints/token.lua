-- ao_kernel token blueprint: a fungible token following the ao token conventions.
-- Load it into a process by evaluating this file (an Eval from the owner). Reloading keeps the
-- ledger: every piece of state is only initialised when it is missing.
--
-- Behaviour (as aos 2.0.4 HEAD does it):
--   Info          -> reply tags name, ticker, logo, denomination, supply
--   Balance       -> reply Balance, Ticker, Account (+ Data = balance)
--   Balances      -> reply Data = JSON of the ledger
--   Transfer      -> Debit-Notice to the sender, Credit-Notice to the recipient (unless Cast)
--   Mint          -> only the process itself may mint
--   Total-Supply  -> reply Data = supply (not callable by the process itself)
--   Burn          -> not implemented at HEAD (prints a note)
-- Successful transfers and mints also emit a target-less `device = patch@1.0` message that
-- exposes the changed balances to HyperBEAM (legacy MUs drop it).

local bint = require('.bint')(256)
local json = require('json')

local function text_of(n)
  return tostring(bint(n))
end

local function plus(a, b)
  return tostring(bint(a) + bint(b))
end

local function minus(a, b)
  return tostring(bint(a) - bint(b))
end

-- State ------------------------------------------------------------------------------------

Variant = Variant or "0.0.3"
Denomination = Denomination or 12
local initial_supply = "10000" .. string.rep("0", Denomination)
TotalSupply = TotalSupply or initial_supply
Balances = Balances or { [ao.id] = initial_supply }
Name = Name or 'Points Coin'      -- an aos process always has a Name, so the process keeps it
Ticker = Ticker or 'PNTS'
Logo = Logo or 'SBCCXwwecBlDqRLUjb8dYABExTJXLieawf7m2aBJ-KY'

-- Helpers ----------------------------------------------------------------------------------

local function on(action)
  return Handlers.utils.hasMatchingTag('Action', action)
end

local function balance_of(account)
  return Balances[account] or "0"
end

-- Every X-* field of the incoming message travels with the notices.
local function with_forwarded(msg, out)
  for key, value in pairs(msg) do
    if type(key) == "string" and key:sub(1, 2) == "X-" then
      out[key] = value
    end
  end
  return out
end

local function publish(changed)
  Send({ device = 'patch@1.0', balances = changed })
end

local function painted(...)
  local parts = { ... }
  return table.concat(parts) .. Colors.reset
end

-- Handlers ---------------------------------------------------------------------------------

Handlers.add('info', on('Info'), function(msg)
  msg.reply({
    name = Name,
    ticker = Ticker,
    logo = Logo,
    denomination = tostring(Denomination),
    supply = TotalSupply,
  })
end)

Handlers.add('balance', on('Balance'), function(msg)
  local recipient, target = msg.Tags.Recipient, msg.Tags.Target
  local account
  if recipient then
    account = recipient
  elseif target and Balances[target] then
    account = target
  else
    account = msg.From
  end
  local amount = balance_of(account)
  msg.reply({
    Balance = amount,
    Ticker = Ticker,
    Account = recipient or msg.From,
    Data = amount,
  })
end)

Handlers.add('balances', on('Balances'), function(msg)
  msg.reply({ Data = json.encode(Balances) })
end)

Handlers.add('transfer', on('Transfer'), function(msg)
  local to, qty, from = msg.Recipient, msg.Quantity, msg.From
  assert(type(to) == 'string', 'Recipient is required!')
  assert(type(qty) == 'string', 'Quantity is required!')
  assert(bint(0) < bint(qty), 'Quantity must be greater than 0')

  Balances[from] = balance_of(from)
  Balances[to] = balance_of(to)

  if bint(Balances[from]) < bint(qty) then
    msg.reply({
      Action = 'Transfer-Error',
      ['Message-Id'] = msg.Id,
      Error = 'Insufficient Balance!',
    })
    return
  end

  Balances[from] = minus(Balances[from], qty)
  Balances[to] = plus(Balances[to], qty)

  if not msg.Cast then
    msg.reply(with_forwarded(msg, {
      Action = 'Debit-Notice',
      Recipient = to,
      Quantity = qty,
      Data = painted(Colors.gray, "You transferred ", Colors.blue, qty, Colors.gray, " to ",
        Colors.green, to),
    }))
    Send(with_forwarded(msg, {
      Target = to,
      Action = 'Credit-Notice',
      Sender = from,
      Quantity = qty,
      Data = painted(Colors.gray, "You received ", Colors.blue, qty, Colors.gray, " from ",
        Colors.green, from),
    }))
  end
  publish({ [from] = Balances[from], [to] = Balances[to] })
end)

Handlers.add('mint', on('Mint'), function(msg)
  local qty = msg.Quantity
  assert(type(qty) == 'string', 'Quantity is required!')
  assert(bint(0) < bint(qty), 'Quantity must be greater than zero!')

  if msg.From ~= ao.id then
    msg.reply({
      Action = 'Mint-Error',
      ['Message-Id'] = msg.Id,
      Error = 'Only the Process Id can mint new ' .. Ticker .. ' tokens!',
    })
    return
  end

  Balances[ao.id] = plus(balance_of(ao.id), qty)
  TotalSupply = plus(TotalSupply, qty)
  msg.reply({ Data = painted(Colors.gray, "Successfully minted ", Colors.blue, qty) })
  publish({ [ao.id] = Balances[ao.id] })
end)

Handlers.add('totalSupply', on('Total-Supply'), function(msg)
  assert(msg.From ~= ao.id, 'Cannot call Total-Supply from the same process!')
  msg.reply({
    Action = 'Total-Supply',
    Data = text_of(TotalSupply),
    Ticker = Ticker,
  })
end)

Handlers.add('burn', on('Burn'), function()
  print('Burn is not implemented')
end)
