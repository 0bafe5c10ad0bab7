-- ao_kernel sandbox: the first chunk run in every Lua state.
-- It keeps private references to the host-only functions it needs and installs an instruction
-- budget that also holds inside coroutines and through pcall/xpcall. It returns a table of host
-- controls that process code never sees. `host.instantiate()` then gives the state a fresh set
-- of process globals: a copy of the standard library as it was before this chunk ran, minus
-- everything that reaches the host. A state whose process has left (hibernated) is given to the
-- next process that boots, with new globals: nothing the previous process could reach stays
-- reachable, and its library modules run again from the bytecode already loaded.

-- The standard library as lupa opened it, copied before anything here changes it.
local LIBRARIES = { "coroutine", "table", "io", "os", "string", "math", "utf8", "debug",
  "package", "python" }
local pristine, pristine_libs, pristine_loaded = {}, {}, {}
for k, v in next, _G do pristine[k] = v end
for _, name in ipairs(LIBRARIES) do
  local lib = rawget(_G, name)
  if type(lib) == "table" then
    local copy = {}
    for k, v in next, lib do copy[k] = v end
    pristine_libs[name] = copy
  end
end
for name in next, package.loaded do pristine_loaded[name] = true end

local sethook = debug.sethook
local registry, set_meta, upvaluejoin = debug.getregistry(), debug.setmetatable,
  debug.upvaluejoin
local LUA_RIDX_GLOBALS = 2
-- Host-only tools for the persister (ao_kernel/lua/persist.lua), taken before `debug` goes away.
local persist_tools = {
  getupvalue = debug.getupvalue, setupvalue = debug.setupvalue, upvalueid = debug.upvalueid,
  upvaluejoin = debug.upvaluejoin, getmetatable = debug.getmetatable,
  setmetatable = debug.setmetatable, getinfo = debug.getinfo, dump = string.dump, load = load,
  next = next, type = type, rawget = rawget, rawset = rawset, tostring = tostring,
  rawequal = rawequal,
  mtype = math.type, huge = math.huge, format = string.format, gsub = string.gsub,
  concat = table.concat, sort = table.sort, co_create = coroutine.create,
  co_resume = coroutine.resume, co_status = coroutine.status, co_running = coroutine.running,
  collect = collectgarbage, ipairs = ipairs, select = select, error = error, pcall = pcall,
  utf8_codes = utf8.codes, char = string.char, ulen = utf8.len,
  byte = string.byte,
  find = string.find, mininteger = math.mininteger,
  sandbox_source = debug.getinfo(1, "S").source,
  -- G, loaded, string_meta and random: those of the current process (see `instantiate`)
}
local traceback, getinfo = debug.traceback, debug.getinfo
local raw_pcall, raw_xpcall, raw_error = pcall, xpcall, error
local raw_load, raw_type = load, type
local co_create, co_resume = coroutine.create, coroutine.resume
local real_date = os.date
local string_sub, string_gsub, string_find, utf8_len = string.sub, string.gsub, string.find, utf8.len

-- True when `s` is text Python can decode: valid UTF-8 without surrogates. Lua 5.3's utf8.len
-- accepts UTF-8 surrogates (ED A0..BF ..), which Python refuses; with no ED byte at all there
-- can be none. Plain C scans in the common case.
local function python_text(s)
  if not utf8_len(s) then return false end
  return not string_find(s, "\237", 1, true) or not string_find(s, "\237[\160-\191]")
end

-- Private sentinel raised when the budget runs out; wrapped pcall/xpcall/resume re-raise it.
local LIMIT = setmetatable({}, { __tostring = function() return "instruction limit exceeded" end })
local STEP = 1000
local budget = math.huge
local limited = false

-- Private sentinel raised when the host asks to stop (Ctrl-C / Jupyter's Interrupt). Every
-- INTERRUPT_EVERY hook calls (about a million instructions, a few milliseconds) the host's check
-- runs: it is a Python call, which must take the GIL, and a replay on another thread would wait
-- for it while this thread runs Python (checking 16 times as often made two-thread verify ~6%
-- slower).
local INTERRUPT = setmetatable({}, { __tostring = function() return "interrupted" end })
local INTERRUPT_EVERY = 1024
local interrupt_check, ticks = nil, 0

local function hook()
  if limited then
    budget = budget - 1
    -- Once raised, a fatal error cannot be caught by process code (the wrapped pcall,
    -- xpcall and resume re-raise it), so counting stops until the host sets a new budget:
    -- otherwise the hook could fire again inside the host's own calls that follow.
    if budget <= 0 then
      budget, limited = 0, false
      raw_error(LIMIT, 0)
    end
    if interrupt_check ~= nil then
      ticks = ticks + 1
      if ticks >= INTERRUPT_EVERY then
        ticks = 0
        if interrupt_check() then
          limited = false
          raw_error(INTERRUPT, 0)
        end
      end
    end
  end
end
sethook(hook, "", STEP)

local function is_fatal(err)
  return err == LIMIT or err == INTERRUPT or err == "not enough memory"
end

local function reraise_if_fatal(ok, ...)
  if not ok then
    local err = ...
    if is_fatal(err) then raw_error(err, 0) end
  end
  return ok, ...
end

-- os.time{...} on a date table: computed in UTC without touching the host clock.
local function time_of(t)
  local y, m, d = t.year, t.month, t.day
  local a = (14 - m) // 12
  local yy, mm = y + 4800 - a, m + 12 * a - 3
  local jdn = d + (153 * mm + 2) // 5 + 365 * yy + yy // 4 - yy // 100 + yy // 400 - 32045
  return (jdn - 2440588) * 86400 + (t.hour or 12) * 3600 + (t.min or 0) * 60 + (t.sec or 0)
end

-- A deterministic clock: the host sets `now_ms` before each message.
local now_ms = 0

-- `require` finds only library modules the host provides; names are canonical without a
-- leading "." and without a trailing ".init", so ".json", "json" and ".json.init" are one module.
-- The host's `lookup(key)` returns a module's code (and true when it is bytecode) or nil. It is
-- asked only at a module's first `require` in the state; the module's main function is kept
-- (`mains`), and each later process that requires it runs it again with its own globals.
local lookup, mains = nil, {}
local function canonical(name)
  name = string_gsub(name, "^%.", "")
  name = string_gsub(name, "%.init$", "")
  return name
end

-- Chunk names as ao's build registers its modules, so errors read `[string ".handlers"]:12:`.
local function chunk_name(key)
  if key == "json" then return key end
  return "." .. key
end

-- A fresh upvalue cell holding `v`, for a module's main function to take as its own `_ENV`
-- (as `load` gives each chunk), so that each process's modules see only its globals.
local function env_cell(v)
  return function() return v end
end

-- Installs the process-facing functions into `_ENV`, a fresh copy of the standard library
-- (see `instantiate`); `loaded` is its package.loaded.
local function install(_ENV, loaded)
  function pcall(f, ...)
    return reraise_if_fatal(raw_pcall(f, ...))
  end

  function xpcall(f, handler, ...)
    local function guarded(err)
      if is_fatal(err) then return err end
      return handler(err)
    end
    return reraise_if_fatal(raw_xpcall(f, guarded, ...))
  end

  function coroutine.create(f)
    local co = co_create(f)
    sethook(co, hook, "", STEP)
    return co
  end

  function coroutine.resume(co, ...)
    return reraise_if_fatal(co_resume(co, ...))
  end

  local function wrap_results(ok, ...)
    if ok then return ... end
    local err = ...
    if raw_type(err) == "string" and not is_fatal(err) then raw_error(err, 2) end
    raw_error(err, 0)
  end

  function coroutine.wrap(f)
    local co = coroutine.create(f)
    return function(...)
      return wrap_results(co_resume(co, ...))
    end
  end

  -- Finalizers would run at moments chosen by the garbage collector, which replay cannot
  -- reproduce; ao processes must be deterministic, so `__gc` is refused.
  local raw_setmetatable, raw_rawget = setmetatable, rawget
  function setmetatable(t, mt)
    if raw_type(mt) == "table" and raw_rawget(mt, "__gc") ~= nil then
      raw_error("__gc metamethods are not available in ao processes (they are not deterministic)",
        2)
    end
    return raw_setmetatable(t, mt)
  end

  -- Deterministic `pairs`. Lua seeds its string hash from the clock and memory addresses, so the
  -- raw traversal order of string keys changes from run to run. Processes must replay and re-run
  -- identically, so `pairs` visits keys in a fixed order: numbers ascending, then strings in byte
  -- order, then booleans, then other keys. Keys removed during the loop are skipped.
  local raw_next, raw_rawget2, raw_getmetatable = next, rawget, getmetatable
  local table_sort, raw_select = table.sort, select
  local RANK = { number = 1, string = 2, boolean = 3 }
  local function key_before(a, b)
    local ta, tb = raw_type(a), raw_type(b)
    if ta == tb then
      if ta == "number" or ta == "string" then return a < b end
      if ta == "boolean" then return b and not a end
      return false
    end
    return (RANK[ta] or 4) < (RANK[tb] or 4)
  end

  function pairs(...)
    local t = ...
    if raw_type(t) ~= "table" then
      local mt = raw_getmetatable(t)
      if mt == nil or raw_rawget2(mt, "__pairs") == nil then
        local got = raw_select("#", ...) == 0 and "no value" or raw_type(t)
        raw_error("bad argument #1 to 'pairs' (table expected, got " .. got .. ")", 2)
      end
    end
    local mt = raw_getmetatable(t)
    if raw_type(mt) == "table" then
      local meta_pairs = raw_rawget2(mt, "__pairs")
      if meta_pairs ~= nil then
        local f, s, c = meta_pairs(t)
        return f, s, c
      end
    end
    local keys, n, kind = {}, 0, nil
    for k in raw_next, t do
      n = n + 1
      keys[n] = k
      if kind ~= false then
        local tk = raw_type(k)
        if kind == nil then kind = tk elseif tk ~= kind then kind = false end
      end
    end
    if n > 1 then
      -- Keys all of one type that `<` orders the same way key_before does: the native sort.
      if kind == "string" or kind == "number" then table_sort(keys)
      else table_sort(keys, key_before) end
    end
    local i = 0
    return function()
      while i < n do
        i = i + 1
        local k = keys[i]
        local v = raw_rawget2(t, k)
        if v ~= nil then return k, v end
      end
      return nil
    end, t, nil
  end

  -- Text chunks only: binary chunks can crash the interpreter.
  function load(chunk, name, mode, env)
    if env == nil then env = _G end
    return raw_load(chunk, name, "t", env)
  end

  -- The host-reaching parts of the standard library go away.
  io = nil
  dofile = nil
  loadfile = nil
  python = nil
  debug = { traceback = traceback, getinfo = getinfo }

  os = {
    time = function(t)
      if t ~= nil then return time_of(t) end
      return now_ms
    end,
    clock = function() return 0 end,
    date = function(fmt, t)
      fmt = fmt or "%c"
      if string_sub(fmt, 1, 1) ~= "!" then fmt = "!" .. fmt end
      return real_date(fmt, t or (now_ms // 1000))
    end,
    getenv = function() return nil end,
    difftime = function(a, b) return a - b end,
  }

  -- Until a process library seeds its own generator, math.random is a fixed-seed LCG so that
  -- nothing reads lupa's C rand(), which every runtime in the host shares.
  local lcg = 0
  math.randomseed = function(seed) lcg = math.tointeger(seed) or 0 end
  math.random = function(a, b)
    lcg = (lcg * 6364136223846793005 + 1442695040888963407)
    local r = ((lcg >> 11) & 0x1FFFFFFFFFFFFF) / 9007199254740992.0
    if a == nil then return r end
    if b == nil then a, b = 1, a end
    return a + math.floor(r * (b - a + 1))
  end

  loaded.io, loaded.python = nil, nil
  loaded.os, loaded.debug = os, debug
  print = function() end
  function require(name)
    if raw_type(name) ~= "string" then
      raw_error("bad argument #1 to 'require' (string expected, got " .. raw_type(name) .. ")", 2)
    end
    local found = loaded[name]
    if found ~= nil then return found end
    local key = canonical(name)
    -- One entry per module, under the name ao's build uses, so that whatever walks
    -- package.loaded (Lua's traceback names functions that way) sees a single, stable name.
    local slot = chunk_name(key)
    found = loaded[slot]
    if found == nil then
      local preload = package.preload[name] or package.preload[key]
      local src, is_bytecode, main
      if preload == nil and lookup ~= nil then main = mains[key] end
      -- The host's names are text: a name that is not UTF-8 (or has surrogates) is none of them.
      if preload == nil and main == nil and lookup ~= nil and python_text(key) then
        src, is_bytecode = lookup(key)
      end
      local loader
      if preload ~= nil then
        loader = preload
      elseif main ~= nil then
        upvaluejoin(main, 1, env_cell(_G), 1)
        loader = main
      elseif src ~= nil then
        -- Library modules may arrive precompiled by the host (from its own trusted sources).
        local fn, err = raw_load(src, chunk_name(key), is_bytecode and "b" or "t", _G)
        if not fn then raw_error(err, 0) end
        if is_bytecode then mains[key] = fn end
        loader = fn
      else
        raw_error("module '" .. name .. "' not found: ao processes can only require modules "
          .. "that are loaded into the process", 2)
      end
      found = loader(key)
      if found == nil then found = loaded[slot] end
      if found == nil then found = true end
      loaded[slot] = found
    end
    return found
  end
  package.loadlib = nil
  package.searchpath = nil
  package.searchers = nil
  package.cpath = ""
  package.path = ""
end

-- Host controls: returned to Python, never stored in a global.
local host = {}

-- `fn(key)` gives a library module's code by canonical name (see `require`); nil: no modules.
function host.set_lookup(fn)
  lookup, mains = fn, {}
end

-- Host work (booting, replay) gets a large but finite budget, so that nothing a process left
-- behind can hang the host.
local HOST_BUDGET = 4000000000

local function set_budget(instructions)
  if instructions == nil or instructions <= 0 then
    limited = true
    budget = HOST_BUDGET // STEP
  else
    limited = true
    budget = instructions // STEP + 1
  end
end
host.set_budget = set_budget

-- `check` is a host function answering "has the user asked to stop?" (nil: never ask).
function host.set_interrupt_check(check)
  interrupt_check = check
end

function host.set_now(ms)
  now_ms = ms
end

function host.is_limit(err)
  return err == LIMIT
end

-- Bytes that are not UTF-8 (binary data, lone surrogates) become U+10FF00 + byte so the host can
-- decode every string and restore the exact bytes (see ao_kernel/lua/codec.py).
local ulen, uchar, sbyte, ssub, concat = utf8.len, utf8.char, string.byte,
  string.sub, table.concat

local function valid_at(s, i)
  -- Length of a valid UTF-8 sequence at i (no surrogates, no overlongs), or nil.
  local c = sbyte(s, i)
  if c < 0x80 then return 1 end
  local n = (c >= 0xF0 and c <= 0xF4 and 4) or (c >= 0xE0 and c < 0xF0 and 3) or (c >= 0xC2 and c < 0xE0 and 2)
  if not n then return nil end
  local ok = ulen(ssub(s, i, i + n - 1)) == 1
  if not ok then return nil end
  if n == 3 and c == 0xED and sbyte(s, i + 1) >= 0xA0 then return nil end
  return n
end

-- Short strings already found valid, so the same tag names, values and ids are not scanned for
-- every message. Host-side only (the persister never walks the sandbox), bounded, and a pure
-- cache: it changes no answer.
local KNOWN_MAX, KNOWN_LEN = 1024, 64
local known, known_count = {}, 0

local function safe(s)
  if known[s] then return s end
  if python_text(s) then
    if #s <= KNOWN_LEN then
      if known_count >= KNOWN_MAX then known, known_count = {}, 0 end
      known[s], known_count = true, known_count + 1
    end
    return s
  end
  local out, i, len = {}, 1, #s
  while i <= len do
    local n = valid_at(s, i)
    if n then
      out[#out + 1] = ssub(s, i, i + n - 1)
      i = i + n
    else
      out[#out + 1] = uchar(0x10FF00 + sbyte(s, i))
      i = i + 1
    end
  end
  return concat(out)
end
host.safe = safe
host.is_text = python_text

-- Runs f(...) under a raw pcall; returns true, results... or false, error text, kind where kind
-- is "limit", "memory" or "error".
local function protected(ok, ...)
  if ok then return true, ... end
  local err = ...
  if err == LIMIT then return false, "instruction limit exceeded", "limit" end
  if err == INTERRUPT then return false, "interrupted", "interrupt" end
  if err == "not enough memory" then return false, "memory limit exceeded", "memory" end
  if raw_type(err) ~= "string" then
    local ok, text = raw_pcall(tostring, err)
    err = ok and text or "(error object is not a string)"
  end
  return false, safe(err), "error"
end

-- protect(f, ...) leaves the budget as f left it (`run` below is what the host uses).
function host.protect(f, ...)
  return protected(raw_pcall(f, ...))
end

-- protect(f, ...) under a budget of `instructions` (0: the host's own), which is then put
-- back to the host's: one call from the host instead of three.
local function back_to_host(...)
  set_budget(0)
  return protected(...)
end

function host.run(instructions, f, ...)
  set_budget(instructions)
  return back_to_host(raw_pcall(f, ...))
end

-- A stable number per table, so the host can spot shared and cyclic tables when converting.
local table_ids, next_table_id = setmetatable({}, { __mode = "k" }), 0
function host.table_id(t)
  local n = table_ids[t]
  if n == nil then
    next_table_id = next_table_id + 1
    n = next_table_id
    table_ids[t] = n
  end
  return n
end

-- New process globals (see the top of this file) become the state's globals: `_G` of every
-- chunk the host loads from now on, and the roots the persister walks.
function host.instantiate()
  local G = {}
  for k, v in next, pristine do G[k] = v end
  for name, lib in next, pristine_libs do
    local copy = {}
    for k, v in next, lib do copy[k] = v end
    G[name] = copy
  end
  G._G = G
  local loaded = {}
  for name in next, pristine_loaded do
    if name == "_G" then loaded[name] = G else loaded[name] = G[name] end
  end
  G.package.loaded, G.package.preload = loaded, {}
  install(G, loaded)
  local string_meta = { __index = G.string }
  set_meta("", string_meta)
  registry[LUA_RIDX_GLOBALS] = G
  persist_tools.G, persist_tools.loaded, persist_tools.string_meta = G, loaded, string_meta
  persist_tools.random = G.math.random -- the fixed-seed LCG (its `lcg` upvalue is state)
  host.boot_list = nil
  now_ms = 0
  -- What a previous process may have changed in the collector.
  collectgarbage("restart")
  collectgarbage("setpause", 200)
  collectgarbage("setstepmul", 200)
end

host.persist_tools = persist_tools
host.collect = collectgarbage
host.LIMIT = LIMIT
host.traceback = traceback
host.load = raw_load
return host
