-- ao_kernel: assignables. A message whose Target is another process reaches this process only
-- through an assignment; it is handled only when it matches one of `ao.assignables`.

local assignment = { _version = "0.1.0" }

local function position_of(list, name)
  for i, entry in ipairs(list) do
    if entry.name == name then return i end
  end
  return nil
end

function assignment.init(ao)
  ao.assignables = ao.assignables or {}

  -- addAssignable(spec) or addAssignable(name, spec); a known name gets its spec replaced.
  ao.addAssignable = ao.addAssignable or function(...)
    local name, spec
    if select("#", ...) == 1 then
      spec = ...
    else
      name, spec = ...
      assert(type(name) == "string", "MatchSpec name MUST be a string")
    end
    local at = name and position_of(ao.assignables, name)
    if at then
      ao.assignables[at].pattern = spec
    else
      table.insert(ao.assignables, { pattern = spec, name = name })
    end
  end

  -- removeAssignable(name) or removeAssignable(index); unknown names and indexes are ignored.
  ao.removeAssignable = ao.removeAssignable or function(key)
    local at
    if type(key) == "string" then
      at = position_of(ao.assignables, key)
    else
      assert(type(key) == "number", "index MUST be a number")
      at = key
    end
    if at and at >= 1 and at <= #ao.assignables then
      table.remove(ao.assignables, at)
    end
  end

  ao.isAssignment = ao.isAssignment or function(msg)
    return msg.Target ~= ao.id
  end

  -- With no assignables configured nothing is assignable.
  ao.isAssignable = ao.isAssignable or function(msg)
    local matches = require(".utils").matchesSpec or require(".patterns").matchesSpec
    for _, entry in pairs(ao.assignables) do
      if matches(msg, entry.pattern) then return true end
    end
    return false
  end
end

return assignment
