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
  local entries = Handlers.list
  for i = 1, #entries do
    if entries[i].name == name then return i end
  end
  return nil
end

local function check_entry(name, pattern, handle, maxRuns)
  assert(type(name) == "string", "Handler name MUST be a string")
  local pk = type(pattern)
  assert(pk == "function" or pk == "table" or pk == "string",
    "Handler pattern MUST be a function, table or string")
  local hk = type(handle)
  assert(hk == "function" or hk == "table", "Handler handle MUST be a function or resolver table")
  assert(maxRuns == nil or maxRuns == "inf" or type(maxRuns) == "number",
    "Handler maxRuns MUST be a number or \"inf\"")
end

-- Read (name, pattern, handle[, maxRuns]); with exactly two arguments the first one is both the
-- name and the pattern, i.e. add("Ping", fn) handles Action == "Ping".
local function read_args(...)
  local count = select("#", ...)
  local name, pattern, handle, maxRuns
  if count == 2 then
    name, handle = ...
    pattern = name
  else
    name, pattern, handle, maxRuns = ...
  end
  check_entry(name, pattern, handle, maxRuns)
  return { name = name, pattern = pattern, handle = handle, maxRuns = maxRuns }
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

function Handlers.add(...)
  place(read_args(...))
end

function Handlers.append(...)
  place(read_args(...))
end

function Handlers.prepend(...)
  place(read_args(...), 1)
end

-- once([name,] pattern, handle): a handler that runs for one matching message, placed first.
-- Without a name it is called "_once_<n>" with n counted by Handlers.onceNonce.
function Handlers.once(...)
  local name, pattern, handle
  if select("#", ...) >= 3 then
    name, pattern, handle = ...
  else
    pattern, handle = ...
    name = "_once_" .. tostring(Handlers.onceNonce)
    Handlers.onceNonce = Handlers.onceNonce + 1
  end
  Handlers.prepend(name, pattern, handle, 1)
end

-- Builder used by before()/after(): inserts at a position fixed when the builder was made,
-- or does nothing when the reference handler does not exist.
local function inserter(at)
  local function insert_here(...)
    if at == nil then return end
    local entry = read_args(...)
    table.insert(Handlers.list, at, entry)
  end
  return { add = insert_here, append = insert_here, prepend = insert_here }
end

function Handlers.before(name)
  assert(type(name) == "string", "before expects a handler name")
  return inserter(position(name))
end

function Handlers.after(name)
  assert(type(name) == "string", "after expects a handler name")
  local found = position(name)
  return inserter(found and found + 1 or nil)
end

function Handlers.remove(name)
  assert(type(name) == "string", "remove expects a handler name")
  local found = position(name)
  if found then table.remove(Handlers.list, found) end
end

-- A resolver table maps specs to functions: the first spec that matches picks the function.
-- When none matches nothing runs (the message still counts as handled by the outer pattern).
function Handlers.generateResolver(resolveSpec)
  return function(msg, env)
    if type(resolveSpec) == "function" then
      return resolveSpec(msg, env)
    end
    for spec, fn in pairs(resolveSpec) do
      if matchesSpec(msg, spec) then
        return fn(msg, env)
      end
    end
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
  local handle = entry.handle
  if type(handle) == "table" then
    handle = Handlers.generateResolver(handle)
  end
  local ok, err = pcall(handle, msg, env)
  if not ok then
    error(err, 1)
  end
end

local function spend_run(entry)
  local left = entry.maxRuns
  if type(left) == "number" then
    left = left - 1
    entry.maxRuns = left
    if left <= 0 then Handlers.remove(entry.name) end
  end
end

function Handlers.evaluate(msg, env)
  assert(type(msg) == "table", "Handlers.evaluate: msg must be a table")
  assert(type(env) == "table", "Handlers.evaluate: env must be a table")
  local handled = false
  -- The walk reads the live list by index: removing an entry during the walk shifts the next
  -- entry into the current slot, so that entry is not visited for this message (as in aos).
  for _, entry in ipairs(Handlers.list) do
    if entry.name ~= "_default" then
      local verdict = decision(matchesSpec(msg, entry.pattern))
      if verdict ~= 0 then
        if verdict < 0 then handled = true end
        run(entry, msg, env)
        spend_run(entry)
      end
      if verdict < 0 then return handled end
    end
  end
  if not handled then
    local at = position("_default")
    if at then
      local fallback = Handlers.list[at]
      run(fallback, msg, env)
      spend_run(fallback)
    end
  end
  return handled
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
