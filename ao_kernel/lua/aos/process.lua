-- ao_kernel: the process library. Requiring it installs the aos globals (Handlers, Utils, Send,
-- print, ...) and returns `process`, whose `handle(msg, env)` the compute unit calls once per
-- message. Behaviour follows docs/spec aos-behaviour.md §1.2 and §2; the code is ao_kernel's own.
--
-- A few locals carry the names ao reports in Lua error texts ("... (local 'msg')"), because
-- those texts are part of a message's Error: `msg` (Send, Tab, the send/spawn wrappers),
-- `o` (Tab), `a` (print), `replyMsg` (msg.reply) and `result` (a failed handler's error).

local net = require(".ao")
local rng = require(".chance")
local pretty = require(".stringify")
local json = require(".json")

local process = {}
process._version = "2.0.4"

local MAX_INBOX = 10000
local NO_TARGET_WARNING =
  "WARN: No target specified for message. Data will be stored, but no process will receive it."
-- table.insert, so that a broken Errors/Inbox/log fails with the same message as in aos.
local insert = table.insert

-- ---------------------------------------------------------------------------------------------
-- Globals
-- ---------------------------------------------------------------------------------------------

Colors = {}
Colors.red = "\27[31m"
Colors.green = "\27[32m"
Colors.blue = "\27[34m"
Colors.reset = "\27[0m"
Colors.gray = "\27[90m"
Bell = "\x07"

Dump = require(".dump")
Utils = require(".utils")
Handlers = require(".handlers")
_G.ao = net
if Seeded == nil then Seeded = false end

-- ao's Lua 5.3 build has bit32; lupa's does not, so the library provides it.
do
  local found, bits = pcall(require, ".bit32")
  if found and type(bits) == "table" then bit32 = bits end
end

-- Outgoing table Data travels as JSON, announced by a Content-Type tag.
local function jsonify_data(msg)
  if type(msg.Data) ~= "table" then return end
  msg["Content-Type"] = "application/json"
  msg.Data = json.encode(msg.Data)
end

do
  local raw_send, raw_spawn = net.send, net.spawn
  net.send = function(msg)
    jsonify_data(msg)
    return raw_send(msg)
  end
  net.spawn = function(module_id, msg)
    jsonify_data(msg)
    return raw_spawn(module_id, msg)
  end
end

-- The message's tag list as a map; the first of several same-named tags wins.
function Tab(msg)
  local by_name = {}
  local list = msg.Tags
  for _, o in ipairs(list) do
    local name = o.name
    if by_name[name] == nil then by_name[name] = o.value end
  end
  return by_name
end

-- Globals are read directly so that a missing one is reported by its global name.
function Prompt()
  local inbox = Colors.gray .. "[Inbox:" .. Colors.red .. tostring(#Inbox) .. Colors.gray .. "]"
  local who = Colors.green .. Name .. Colors.gray .. "@" .. Colors.blue .. "aos-"
    .. process._version
  return who .. inbox .. Colors.reset .. "> "
end

-- How print shows a value: tables pretty-printed, booleans/nil/numbers coloured.
local SHOW = {
  table = function(v) return pretty.format(v) end,
  boolean = function(v) return Colors.blue .. tostring(v) .. Colors.reset end,
  ["nil"] = function() return Colors.red .. "nil" .. Colors.reset end,
  number = function(v) return Colors.green .. tostring(v) .. Colors.reset end,
}

-- One argument only. The text goes to the message Output and to the handler print log.
function print(a)
  local show = SHOW[type(a)]
  if show then a = show(a) end

  local box = net.outbox
  local text = a
  if box.Output.data then text = box.Output.data .. "\n" .. a end
  box.Output = { data = text, prompt = Prompt(), print = true }

  local log = HANDLER_PRINT_LOGS
  if not log then return tostring(a) end
  insert(log, a)
  return nil
end

function Send(msg)
  local target = msg.Target
  if not target then
    print(NO_TARGET_WARNING)
  end
  local queued = net.send(msg)
  return { output = "Message added to outbox", receive = queued.receive, onReply = queued.onReply }
end

-- Spawn(msg) uses this process's module; Spawn(module, msg) names one.
function Spawn(...)
  local argc = select("#", ...)
  local module_id, spec = ...
  if argc == 1 then
    module_id, spec = net._module, module_id
  end
  local queued = net.spawn(module_id, spec or {})
  local reply = { after = queued.after, receive = queued.receive }
  reply.output = "Spawn process request added to outbox"
  return reply
end

function Assign(a)
  local note = "Assignment added to outbox."
  net.assign(a)
  print(note)
  return note
end

function Receive(pattern)
  return Handlers.receive(pattern)
end

function Version()
  print(string.format("version: %s", process._version))
end

-- ---------------------------------------------------------------------------------------------
-- Per-message preparation
-- ---------------------------------------------------------------------------------------------

-- Tag and key names: "_" becomes "-", then Title-Case around the dashes.
local find, gsub, lower, upper = string.find, string.gsub, string.lower, string.upper

-- True when canonical(name) would return name unchanged: no "_", a capital at the start and
-- after each dash, small letters elsewhere. Most names already are, and this is much cheaper.
local function is_canonical(name)
  return not (find(name, "_", 1, true) or find(name, "^%l") or find(name, "%-%l")
    or find(name, "[^%-]%u"))
end

-- Names seen before, with their canonical form (at most CANON_MAX of them are remembered).
local CANON, CANON_MAX, canon_count = {}, 512, 0

local function canonical(name)
  if type(name) ~= "string" then return name end
  local known = CANON[name]
  if known ~= nil then return known end
  local fixed = name
  if not is_canonical(name) then
    local low = lower((gsub(name, "_", "-")))
    fixed = (gsub(gsub(low, "^%a", upper), "%-%a", upper))
  end
  if canon_count < CANON_MAX then
    CANON[name], canon_count = fixed, canon_count + 1
  end
  return fixed
end

local function key_order(a, b) return a.from < b.from end

local function canonical_message(incoming)
  local moves = {}
  if getmetatable(incoming) == nil then
    for k, v in next, incoming do
      local fixed = CANON[k] or canonical(k)
      if fixed ~= k then moves[#moves + 1] = { from = k, to = fixed, value = v } end
    end
    -- The same order a sorted `pairs` gives (only string keys can need a move).
    if #moves > 1 then table.sort(moves, key_order) end
  else
    for k, v in pairs(incoming) do
      local fixed = canonical(k)
      if fixed ~= k then table.insert(moves, { from = k, to = fixed, value = v }) end
    end
  end
  for _, mv in ipairs(moves) do incoming[mv.from] = nil end
  for _, mv in ipairs(moves) do incoming[mv.to] = mv.value end

  local tags = incoming.Tags
  if type(tags) == "table" then
    for _, t in ipairs(tags) do
      local name = t.name
      if type(name) == "string" then t.name = CANON[name] or canonical(name) end
    end
  end
  return net.normalize(incoming)
end

local function tag_value(list, wanted)
  for _, t in ipairs(list) do
    if t.name == wanted then return true, t.value end
  end
  return false, nil
end

local byte = string.byte

local function sum_of_bytes(text)
  local sum = 0
  for i = 1, #text do sum = sum + byte(text, i) end
  return sum
end

-- math.random(): [0,1); math.random(n): [1,n]; math.random(a,b): [a,b].
local function random_from_seed(...)
  local argc = select("#", ...)
  if argc == 2 then return rng.integer(...) end
  if argc == 1 then return rng.integer(1, (...)) end
  return rng.random()
end

local function set_up_globals(incoming, env)
  if not Seeded then
    -- Seed: the block height followed by the byte sum of Owner, Module and Id.
    local digits = sum_of_bytes(incoming.Owner .. incoming.Module .. incoming.Id)
    rng.seed(tonumber(incoming["Block-Height"] .. digits))
    math.random = random_from_seed
    Seeded = true
  end
  if not Errors then Errors = {} end
  if not Inbox then Inbox = {} end

  local ptags = env.Process.TagArray or env.Process.Tags
  if incoming.Id == env.Process.Id and not Owner then
    local has_parent, parent = tag_value(ptags, "From-Process")
    Owner = has_parent and parent or incoming.From
  end
  if not Name then
    local has_name, given = tag_value(ptags, "Name")
    Name = has_name and given or "aos"
  end
end

local function store_in_inbox(entry)
  insert(Inbox, entry)
  while #Inbox > MAX_INBOX do table.remove(Inbox, 1) end
end

local function drop_last_lines(text, count)
  local kept = {}
  for line in string.gmatch(text .. "\n", "([^\n]*)\n") do kept[#kept + 1] = line end
  for _ = 1, math.min(count, #kept) do kept[#kept] = nil end
  return table.concat(kept, "\n")
end

local function add_reply_helpers(msg)
  local function reply_chain(out)
    out["X-Reference"] = msg["X-Reference"] or msg.Reference
  end

  function msg.reply(replyMsg)
    replyMsg.Target = msg["Reply-To"] or replyMsg.Target or msg.From
    reply_chain(replyMsg)
    replyMsg["X-Origin"] = msg["X-Origin"]
    return net.send(replyMsg)
  end

  function msg.forward(target, overrides)
    local fwd = net.sanitize(msg)
    if overrides then
      for k, v in pairs(overrides) do fwd[k] = v end
    end
    fwd.Target = target
    fwd["Reply-To"] = msg["Reply-To"] or msg.From
    reply_chain(fwd)
    fwd["X-Origin"] = msg["X-Origin"] or msg.From
    fwd.reply = nil
    fwd.forward = nil
    net.send(fwd)
  end
end

-- Suspended handlers stay reachable; finished ones are dropped in one pass that, like aos,
-- skips the entry after each removal.
local function remember_coroutine(co)
  if Handlers.coroutines == nil then Handlers.coroutines = {} end
  local all = Handlers.coroutines
  all[#all + 1] = co
  local i = 1
  while all[i] ~= nil do
    if coroutine.status(all[i]) == "dead" then table.remove(all, i) end
    i = i + 1
  end
end

local function error_text(result)
  local logged = table.concat(HANDLER_PRINT_LOGS, "\n")
  return logged .. "\n\n" .. Colors.red .. "error:\n" .. Colors.reset .. result
end

local function start_print_log()
  _G.HANDLER_PRINT_LOGS = {}
end

-- The system handlers, (re)installed before every message. Their functions are made once per
-- process (again if a handler module is replaced): re-adding the same ones each message puts
-- every entry back as fresh ones would.
local system = nil

local function system_handlers()
  local make_eval, make_default = require(".eval"), require(".default")
  if system == nil or system.make_eval ~= make_eval or system.make_default ~= make_default then
    system = {
      make_eval = make_eval, make_default = make_default,
      eval_pattern = function(m) return m.Action == "Eval" and m.From == Owner end,
      eval = make_eval(net),
      boot_pattern = function(m) return m.Tags.Type == "Process" and m.From == Owner end,
      default_pattern = function() return true end,
      default = make_default(store_in_inbox),
    }
  end
  return system
end

local function install_system_handlers(msg, env)
  local sys = system_handlers()
  Handlers.add("_eval", sys.eval_pattern, sys.eval)

  if msg.Id == env.Process.Id then
    Handlers.once("_boot", sys.boot_pattern, require(".boot")(net))
  end

  Handlers.append("_default", sys.default_pattern, sys.default)
end

-- ---------------------------------------------------------------------------------------------
-- handle
-- ---------------------------------------------------------------------------------------------

function process.handle(msg, environment)
  local env = environment.Process and environment or environment.env
  net.init(env)
  msg = canonical_message(msg)
  net.id = net.env.Process.Id
  set_up_globals(msg, net.env)
  start_print_log()

  os.time = function() return msg.Timestamp end

  msg.TagArray, msg.Tags = msg.Tags, Tab(msg)
  local this = net.env.Process
  if this.TagArray == nil then
    this.TagArray, this.Tags = this.Tags, Tab(this)
  end

  if msg.Tags["Content-Type"] == "application/json" then
    msg.Data = json.decode(msg.Data or "{}")
  end
  net.clearOutbox()

  -- Only the owner, or a message signed or sent by an authority, gets through.
  local trusted = msg.From == msg.Owner or net.isTrusted(msg)
  if not trusted then
    print("Message is not trusted! From: " .. msg.From .. " - Owner: " .. msg.Owner)
    return net.result({})
  end

  if net.isAssignment(msg) and not net.isAssignable(msg) then
    local sender = msg.From
    if sender ~= net.id then
      Send({ Target = sender, Data = "Assignment is not trusted by this process!" })
    end
    print("Assignment is not trusted! From: " .. msg.From .. " - Owner: " .. msg.Owner)
    return net.result({})
  end

  install_system_handlers(msg, env)
  add_reply_helpers(msg)

  local co = coroutine.create(function()
    return pcall(Handlers.evaluate, msg, net.env)
  end)
  local _, ok, result = coroutine.resume(co)
  remember_coroutine(co)

  local is_eval = msg.Action == "Eval"
  if not ok then
    -- A non-string error object makes the concatenations below fail, as they do in aos.
    if is_eval then
      insert(Errors, result)
      return { Error = error_text(result) }
    end
    local about = " handling message "
    if msg.Action then about = " handling message with Action = " .. msg.Action end
    print(Colors.red .. "Error" .. Colors.gray .. about .. Colors.reset)
    local shown = Colors.green .. result .. Colors.reset
    print(shown)
    print("\n" .. Colors.gray .. drop_last_lines(debug.traceback(), 3) .. Colors.reset)
    local failed = { Error = error_text(result) }
    failed.Messages, failed.Spawns, failed.Assignments = {}, {}, {}
    return net.result(failed)
  end

  local logs = HANDLER_PRINT_LOGS
  local output = { data = table.concat(logs, "\n"), prompt = Prompt() }
  if is_eval then
    output.test = Dump(logs)
  else
    output.print = true
  end
  local response = net.result({ Output = output })
  start_print_log()
  -- The nonce of the last message handled without error (nil after a Cron message).
  net.Nonce = msg.Nonce
  return response
end

return process
