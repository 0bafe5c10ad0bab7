-- ao_kernel: assignables. A message whose Target is another process reaches this process only
-- through an assignment; it is handled only when it matches one of `ao.assignables`.
-- (`object`, `assignable` and `msg` are the names Lua quotes when a broken entry or message
-- is indexed.)

local assignment = {}
assignment._version = "0.1.0"

-- Index of the assignable called `name`, or nil.
local function find(list, name)
  for at, object in ipairs(list) do
    if object.name == name then return at end
  end
  return nil
end

local function matcher()
  return require(".utils").matchesSpec or require(".patterns").matchesSpec
end

function assignment.init(ao)
  if not ao.assignables then ao.assignables = {} end

  -- addAssignable(spec) or addAssignable(name, spec); a known name gets its spec replaced.
  local function add(...)
    local name, spec = nil, ...
    if select("#", ...) ~= 1 then
      name, spec = ...
      assert(type(name) == "string", "MatchSpec name MUST be a string")
    end
    local at = name and find(ao.assignables, name)
    if not at then
      table.insert(ao.assignables, { pattern = spec, name = name })
      return
    end
    ao.assignables[at].pattern = spec
  end

  -- removeAssignable(name) or removeAssignable(index); unknown names and indexes are ignored.
  local function remove(key)
    local at = key
    if type(key) == "string" then
      at = find(ao.assignables, key)
    else
      assert(type(key) == "number", "index MUST be a number")
    end
    local count = #ao.assignables
    if at and at >= 1 and at <= count then table.remove(ao.assignables, at) end
  end

  local function is_assignment(msg)
    return ao.id ~= msg.Target
  end

  -- With no assignables configured nothing is assignable.
  local function is_assignable(msg)
    local matches, list = matcher(), ao.assignables
    for _, assignable in pairs(list) do
      if matches(msg, assignable.pattern) then return true end
    end
    return false
  end

  ao.addAssignable = ao.addAssignable or add
  ao.removeAssignable = ao.removeAssignable or remove
  ao.isAssignment = ao.isAssignment or is_assignment
  ao.isAssignable = ao.isAssignable or is_assignable
end

return assignment
