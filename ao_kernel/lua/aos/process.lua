-- ao_kernel: the process library. Requiring it installs the aos globals (Handlers, Utils, Send,
-- print, ...) and returns `process`, whose `handle(msg, env)` the compute unit calls once per
-- message. Behaviour follows docs/spec aos-behaviour.md §1.2 and §2; the code is ao_kernel's own.

local ao = require(".ao")
local chance = require(".chance")
local stringify = require(".stringify")

local process = { _version = "2.0.4" }

local INBOX_LIMIT = 10000

-- ---------------------------------------------------------------------------------------------
-- Globals
-- ---------------------------------------------------------------------------------------------

Colors = {
  red = "\27[31m",
  green = "\27[32m",
  blue = "\27[34m",
  reset = "\27[0m",
  gray = "\27[90m",
}
Bell = "\x07"

Dump = require(".dump")
Utils = require(".utils")
Handlers = require(".handlers")
_G.ao = ao
Seeded = Seeded or false

-- ao's Lua 5.3 build has bit32; lupa's does not, so the library provides it.
do
  local ok, lib = pcall(require, ".bit32")
  if ok and type(lib) == "table" then bit32 = lib end
end

-- Table data is sent as JSON with a Content-Type tag.
local function encode_table_data(m)
  if m.Data and type(m.Data) == "table" then
    m["Content-Type"] = "application/json"
    m.Data = require(".json").encode(m.Data)
  end
end

local plain_send, plain_spawn = ao.send, ao.spawn
ao.send = function(m)
  encode_table_data(m)
  return plain_send(m)
end
ao.spawn = function(module, m)
  encode_table_data(m)
  return plain_spawn(module, m)
end

-- msg.Tags as a map; the first of several tags with one name wins.
function Tab(msg)
  local map = {}
  for _, tag in ipairs(msg.Tags) do
    if map[tag.name] == nil then map[tag.name] = tag.value end
  end
  return map
end

function Prompt()
  return Colors.green .. Name .. Colors.gray .. "@" .. Colors.blue .. "aos-" .. process._version
    .. Colors.gray .. "[Inbox:" .. Colors.red .. tostring(#Inbox) .. Colors.gray .. "]"
    .. Colors.reset .. "> "
end

-- One argument only. Tables are pretty-printed, other non-strings coloured.
function print(value)
  local kind = type(value)
  if kind == "table" then
    value = stringify.format(value)
  elseif kind == "boolean" then
    value = Colors.blue .. tostring(value) .. Colors.reset
  elseif kind == "nil" then
    value = Colors.red .. "nil" .. Colors.reset
  elseif kind == "number" then
    value = Colors.green .. tostring(value) .. Colors.reset
  end

  local so_far = ao.outbox.Output.data
  ao.outbox.Output = {
    data = so_far and (so_far .. "\n" .. value) or value,
    prompt = Prompt(),
    print = true,
  }
  if HANDLER_PRINT_LOGS then
    table.insert(HANDLER_PRINT_LOGS, value)
    return nil
  end
  return tostring(value)
end

function Send(m)
  if not m.Target then
    print("WARN: No target specified for message. Data will be stored, but no process will receive it.")
  end
  local sent = ao.send(m)
  return { output = "Message added to outbox", receive = sent.receive, onReply = sent.onReply }
end

-- Spawn(m) uses this process's module; Spawn(module, m) names one.
function Spawn(...)
  local module, m
  if select("#", ...) == 1 then
    module, m = ao._module, ...
  else
    module, m = ...
  end
  local spawned = ao.spawn(module, m or {})
  return {
    output = "Spawn process request added to outbox",
    after = spawned.after,
    receive = spawned.receive,
  }
end

function Assign(a)
  local notice = "Assignment added to outbox."
  ao.assign(a)
  print(notice)
  return notice
end

function Receive(pattern)
  return Handlers.receive(pattern)
end

function Version()
  print("version: " .. process._version)
end

-- ---------------------------------------------------------------------------------------------
-- Per-message preparation
-- ---------------------------------------------------------------------------------------------

-- "_" becomes "-", everything lower case, then upper case at the start and after each "-".
local function title_case(name)
  if type(name) ~= "string" then return name end
  local s = string.lower((string.gsub(name, "_", "-")))
  s = string.gsub(s, "^%a", string.upper)
  s = string.gsub(s, "%-%a", string.upper)
  return s
end

local function normalize_message(msg)
  local renamed = {}
  for key, value in pairs(msg) do
    local better = title_case(key)
    if better ~= key then renamed[#renamed + 1] = { key, better, value } end
  end
  for _, r in ipairs(renamed) do msg[r[1]] = nil end
  for _, r in ipairs(renamed) do msg[r[2]] = r[3] end

  if type(msg.Tags) == "table" then
    for _, tag in ipairs(msg.Tags) do
      if type(tag.name) == "string" then tag.name = title_case(tag.name) end
    end
  end
  return ao.normalize(msg)
end

local function first_tag(tags, name)
  for _, tag in ipairs(tags) do
    if tag.name == name then return tag end
  end
  return nil
end

local function byte_sum(s)
  local total = 0
  for i = 1, #s do total = total + string.byte(s, i) end
  return total
end

-- math.random(): [0,1); math.random(n): [1,n]; math.random(a,b): [a,b].
local function seeded_random(...)
  local count = select("#", ...)
  if count == 1 then return chance.integer(1, (...)) end
  if count == 2 then return chance.integer(...) end
  return chance.random()
end

local function prepare_state(msg, env)
  if not Seeded then
    -- The seed is the block height followed by the byte sum of Owner, Module and Id.
    chance.seed(tonumber(msg["Block-Height"] .. byte_sum(msg.Owner .. msg.Module .. msg.Id)))
    math.random = seeded_random
    Seeded = true
  end
  Errors = Errors or {}
  Inbox = Inbox or {}

  local ptags = env.Process.TagArray or env.Process.Tags
  if env.Process.Id == msg.Id and not Owner then
    local parent = first_tag(ptags, "From-Process")
    Owner = parent and parent.value or msg.From
  end
  if not Name then
    local named = first_tag(ptags, "Name")
    Name = named and named.value or "aos"
  end
end

local function keep_in_inbox(msg)
  table.insert(Inbox, msg)
  local extra = #Inbox - INBOX_LIMIT
  for _ = 1, extra do table.remove(Inbox, 1) end
end

local function without_last_lines(text, n)
  local lines = {}
  for line in string.gmatch(text .. "\n", "([^\n]*)\n") do lines[#lines + 1] = line end
  for _ = 1, n do table.remove(lines) end
  return table.concat(lines, "\n")
end

local function attach_reply_and_forward(msg)
  msg.reply = function(r)
    r.Target = msg["Reply-To"] or r.Target or msg.From
    r["X-Reference"] = msg["X-Reference"] or msg.Reference
    r["X-Origin"] = msg["X-Origin"]
    return ao.send(r)
  end

  msg.forward = function(target, overrides)
    local copy = ao.sanitize(msg)
    for k, v in pairs(overrides or {}) do copy[k] = v end
    copy.Target = target
    copy["Reply-To"] = msg["Reply-To"] or msg.From
    copy["X-Reference"] = msg["X-Reference"] or msg.Reference
    copy["X-Origin"] = msg["X-Origin"] or msg.From
    copy.reply, copy.forward = nil, nil
    ao.send(copy)
  end
end

-- Keep suspended handlers reachable; drop finished ones (one pass, as aos does).
local function track_coroutine(co)
  Handlers.coroutines = Handlers.coroutines or {}
  local list = Handlers.coroutines
  table.insert(list, co)
  local i = 1
  while list[i] ~= nil do
    if coroutine.status(list[i]) == "dead" then table.remove(list, i) end
    i = i + 1
  end
end

local function failure_text(result)
  return table.concat(HANDLER_PRINT_LOGS, "\n") .. "\n\n" .. Colors.red .. "error:\n"
    .. Colors.reset .. result
end

-- ---------------------------------------------------------------------------------------------
-- handle
-- ---------------------------------------------------------------------------------------------

function process.handle(msg, environment)
  local env = environment.Process and environment or environment.env
  ao.init(env)
  msg = normalize_message(msg)
  ao.id = ao.env.Process.Id
  prepare_state(msg, ao.env)
  HANDLER_PRINT_LOGS = {}

  os.time = function() return msg.Timestamp end

  msg.TagArray = msg.Tags
  msg.Tags = Tab(msg)
  local proc = ao.env.Process
  if proc.TagArray == nil then
    proc.TagArray = proc.Tags
    proc.Tags = Tab(proc)
  end

  if msg.Tags["Content-Type"] == "application/json" then
    msg.Data = require(".json").decode(msg.Data or "{}")
  end
  Errors = Errors or {}
  ao.clearOutbox()

  -- Only the owner, or a message signed or sent by an authority, gets through.
  if msg.From ~= msg.Owner and not ao.isTrusted(msg) then
    print("Message is not trusted! From: " .. msg.From .. " - Owner: " .. msg.Owner)
    return ao.result({})
  end

  if ao.isAssignment(msg) and not ao.isAssignable(msg) then
    if msg.From ~= ao.id then
      Send({ Target = msg.From, Data = "Assignment is not trusted by this process!" })
    end
    print("Assignment is not trusted! From: " .. msg.From .. " - Owner: " .. msg.Owner)
    return ao.result({})
  end

  Handlers.add("_eval", function(m)
    return m.Action == "Eval" and Owner == m.From
  end, require(".eval")(ao))

  if env.Process.Id == msg.Id then
    Handlers.once("_boot", function(m)
      return m.Tags.Type == "Process" and Owner == m.From
    end, require(".boot")(ao))
  end

  Handlers.append("_default", function() return true end, require(".default")(keep_in_inbox))

  attach_reply_and_forward(msg)

  local co = coroutine.create(function()
    return pcall(Handlers.evaluate, msg, ao.env)
  end)
  local _, ok, result = coroutine.resume(co)
  track_coroutine(co)

  if not ok then
    -- A non-string error object makes the concatenations below fail, as they do in aos.
    if msg.Action == "Eval" then
      table.insert(Errors, result)
      return { Error = failure_text(result) }
    end
    if msg.Action then
      print(Colors.red .. "Error" .. Colors.gray .. " handling message with Action = " .. msg.Action
        .. Colors.reset)
    else
      print(Colors.red .. "Error" .. Colors.gray .. " handling message " .. Colors.reset)
    end
    print(Colors.green .. result .. Colors.reset)
    print("\n" .. Colors.gray .. without_last_lines(debug.traceback(), 3) .. Colors.reset)
    return ao.result({ Error = failure_text(result), Messages = {}, Spawns = {}, Assignments = {} })
  end

  local output
  if msg.Action == "Eval" then
    output = {
      data = table.concat(HANDLER_PRINT_LOGS, "\n"),
      prompt = Prompt(),
      test = Dump(HANDLER_PRINT_LOGS),
    }
  else
    output = { data = table.concat(HANDLER_PRINT_LOGS, "\n"), prompt = Prompt(), print = true }
  end
  local response = ao.result({ Output = output })
  HANDLER_PRINT_LOGS = {}
  -- The nonce of the last message handled without error (nil after a Cron message).
  ao.Nonce = msg.Nonce
  return response
end

return process
