-- ao_kernel chatroom blueprint: processes and wallets join a room and receive its broadcasts.
-- Load it into a process by evaluating this file (an Eval from the owner).
--
--   Register    -> reply "Registered." (or "Already registered.")
--   Unregister  -> reply "Unregistered" (or "Not registered")
--   Broadcast   -> one Broadcast-Notice carrying the Data to every member, in joining order,
--                  then reply "Broadcasted." (anyone may broadcast)

Members = Members or {}

local function position_of(address)
  for index = 1, #Members do
    if Members[index] == address then
      return index
    end
  end
  return nil
end

local function on(action)
  return Handlers.utils.hasMatchingTag('Action', action)
end

Handlers.add('register', on('Register'), function(msg)
  if position_of(msg.From) then
    msg.reply({ Data = "Already registered." })
    return
  end
  Members[#Members + 1] = msg.From
  msg.reply({ Data = "Registered." })
end)

Handlers.add('unregister', on('Unregister'), function(msg)
  local index = position_of(msg.From)
  if index == nil then
    msg.reply({ Data = "Not registered" })
    return
  end
  table.remove(Members, index)
  msg.reply({ Data = "Unregistered" })
end)

Handlers.add('broadcast', on('Broadcast'), function(msg)
  for _, member in ipairs(Members) do
    ao.send({ Target = member, Action = 'Broadcast-Notice', Data = msg.Data })
  end
  msg.reply({ Data = "Broadcasted." })
end)
