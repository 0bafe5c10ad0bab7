-- ao_kernel: the Handlers pipeline (aos module name ".handlers").
-- Written for ao_kernel from the documented aos behaviour (spec/aos-behaviour.md sections 2.3
-- and 2.5, ao cookbook "Handlers" reference); public names follow aos.
--
-- Each entry of Handlers.list is { name=, pattern=, handle=, maxRuns= }. For every message,
-- Handlers.evaluate walks the list in order and asks each pattern what to do:
--   true / -1 / "break"       run the handle and stop (the message counts as handled)
--   1 / "continue"            run the handle and keep walking
--   false / 0 / other string  skip this entry
-- The entry called "_default" is never visited by the walk; it runs at the end when no entry
-- stopped the walk.

local patterns = require(".patterns")

local Handlers = { _version = "0.0.5" }

Handlers.list = {}
Handlers.onceNonce = 0
-- Coroutines suspended in Handlers.receive, waiting for their message.
Handlers.coroutines = {}
Handlers.utils = require(".handlers-utils")

local matchesSpec = patterns.matchesSpec
local co_running, co_yield = coroutine.running, coroutine.yield

-- Position of the entry called `name` in the current list, or nil.
local function position(name)
  for i, entry in ipairs(Handlers.list) do
    if entry.name == name then return i end
  end
end

local BAD_ARGS = "Invalid arguments given. Expected: \n"
  .. "\tname : string, \tpattern : Action : string | MsgMatch : table,\n"
  .. "\t\tfunction(msg: Message) : {-1 = break, 0 = skip, 1 = continue},\n"
  .. "\thandle(msg : Message) : void) | Resolver,\n"
  .. "\tMaxRuns? : number | \"inf\" | nil"

local PATTERN_KINDS = { ["function"] = true, table = true, string = true }

-- Only the name and the pattern are checked (as in aos); the handle is wrapped by
-- generateResolver whatever it is, and maxRuns is stored as given.
local function make_entry(name, pattern, handle, maxRuns)
  if type(name) ~= "string" or not PATTERN_KINDS[type(pattern)] then error(BAD_ARGS) end
  return { name = name, pattern = pattern, handle = Handlers.generateResolver(handle), maxRuns = maxRuns }
end

-- (name, pattern, handle[, maxRuns]); with exactly two arguments the name is the pattern too,
-- so add("Ping", fn) handles Action == "Ping".
local function entry_from(...)
  local count = select("#", ...)
  if count == 2 then
    local label, fn = ...
    return make_entry(label, label, fn)
  end
  return make_entry(...)
end

-- Store `entry`: an entry of the same name is replaced where it stands; otherwise the entry is
-- inserted at `at` (nil = the end).
local function place(entry, at)
  local entries = Handlers.list
  local found = position(entry.name)
  if found then
    entries[found] = entry
  elseif at then
    table.insert(entries, at, entry)
  else
    entries[#entries + 1] = entry
  end
end

-- add() reports how many handlers the list holds afterwards; append/prepend report nothing.
function Handlers.add(...)
  place(entry_from(...))
  return #Handlers.list
end

function Handlers.append(...)
  place(entry_from(...))
end

function Handlers.prepend(...)
  place(entry_from(...), 1)
end

-- once([name,] pattern, handle): a handler that runs for one matching message, placed first.
-- Without a name it is called "_once_<n>" with n counted by Handlers.onceNonce.
function Handlers.once(...)
  local label, pattern, handle
  if select("#", ...) >= 3 then
    label, pattern, handle = ...
  else
    label = "_once_" .. tostring(Handlers.onceNonce)
    Handlers.onceNonce = Handlers.onceNonce + 1
    pattern, handle = ...
  end
  Handlers.prepend(label, pattern, handle, 1)
end

-- Builder used by before()/after(): its add() takes (name, pattern, handle[, maxRuns]) as
-- given and inserts at the position found when the builder was made; when the reference
-- handler does not exist it does nothing.
local function inserter(at)
  return {
    add = function(...)
      local entry = make_entry(...)
      if at then table.insert(Handlers.list, at, entry) end
    end,
  }
end

function Handlers.before(name)
  if type(name) ~= "string" then error("Handler name MUST be a string") end
  return inserter(position(name))
end

function Handlers.after(name)
  if type(name) ~= "string" then error("Handler name MUST be a string") end
  local found = position(name)
  return inserter(found and found + 1)
end

function Handlers.remove(name)
  if type(name) ~= "string" then error("name MUST be string") end
  local found = position(name)
  if found then table.remove(Handlers.list, found) end
end

-- The function that runs a handle. It receives the message only (aos passes no env on). A
-- function handle is called as it is; any other handle is read as a resolver table mapping
-- specs to functions, and the first spec that matches picks the function (none: nothing runs).
function Handlers.generateResolver(resolveSpec)
  return function(message)
    if type(resolveSpec) ~= "function" then
      for spec, fn in pairs(resolveSpec) do
        if matchesSpec(message, spec) then return fn(message) end
      end
      return
    end
    return resolveSpec(message)
  end
end

-- Translate a pattern result into -1 (run, stop), 1 (run, go on) or 0 (skip).
local function decision(result)
  local kind = type(result)
  if kind == "boolean" then
    return result and -1 or 0
  elseif kind == "number" then
    return result
  elseif kind == "string" then
    if result == "continue" then return 1 end
    if result == "break" then return -1 end
    return 0
  end
  error("Pattern result is not valid, it MUST be string, number, or boolean")
end

-- Run one entry's handle; its error is raised again from here, so the message gains a
-- "handlers:<line>:" prefix in front of the handler's own text.
local function run(entry, msg, env)
  local ok, err = pcall(entry.handle, msg, env)
  if not ok then
    error(err, 1)
  end
end

-- After a handle ran, the entry now holding its name (the handle may have replaced or removed
-- it) spends one run; it is removed when the count reaches exactly 0. "inf" and nil never run
-- out; any other non-number fails here, as in aos.
local function spend_run(name)
  local at = position(name)
  if at == nil then return end
  local current = Handlers.list[at]
  if current.maxRuns == nil or current.maxRuns == "inf" then return end
  current.maxRuns = current.maxRuns - 1
  if current.maxRuns == 0 then Handlers.remove(name) end
end

function Handlers.evaluate(msg, env)
  if type(msg) ~= "table" then error("msg is not valid") end
  if type(env) ~= "table" then error("env is not valid") end
  local stopped = false
  -- The walk reads the live list by index: removing an entry during the walk shifts the next
  -- entry into the current slot, so that entry is not visited for this message (as in aos).
  for _, entry in ipairs(Handlers.list) do
    if entry.name ~= "_default" then
      local verdict = decision(matchesSpec(msg, entry.pattern))
      if verdict ~= 0 then
        if verdict < 0 then stopped = true end
        run(entry, msg, env)
        spend_run(entry.name)
      end
      if verdict < 0 then return stopped end
    end
  end
  if not stopped then
    local at = position("_default")
    if at then
      local fallback = Handlers.list[at]
      run(fallback, msg, env)
      spend_run(fallback.name)
    end
  end
  return stopped
end

-- Forget a suspended coroutine once it has been resumed.
local function forget(co)
  local waiting = Handlers.coroutines
  for i = #waiting, 1, -1 do
    if waiting[i] == co then
      table.remove(waiting, i)
      return
    end
  end
end

-- Suspend the running handler until a later message matches `pattern`; return that message.
--
-- A once-handler is placed first in the list. When a later message matches it, its handle
-- resumes the suspended coroutine with that message (inside the later message's own
-- evaluation, so sends and prints land in the later result) and the later message counts as
-- handled. The suspended coroutine is expected to be the one the process library created
-- around Handlers.evaluate; its body returns pcall(Handlers.evaluate, ...), so a resumed body
-- that ends with (false, err) is reported as an error of the later message.
function Handlers.receive(pattern)
  local co, is_main = co_running()
  if co == nil or is_main then
    error("attempt to yield from outside a coroutine", 2)
  end
  local waiting = Handlers.coroutines
  waiting[#waiting + 1] = co
  Handlers.once(pattern, function(reply)
    forget(co)
    local ok, first, second = coroutine.resume(co, reply)
    if not ok then
      error(first, 0)
    elseif first == false then
      error(second, 0)
    end
  end)
  return co_yield(pattern)
end

return Handlers
