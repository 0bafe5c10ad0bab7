-- ao_kernel persister: host-only, never reachable from process code. The host runs this chunk
-- once per runtime with (tools, cu, boot_list, want_record): `tools` is the sandbox's private
-- `host.persist_tools`, `cu` the loader table. Without `boot_list` it runs right after boot
-- (sandbox, library, loader, set_env) and before any message; with one (the objects a boot record
-- found at that moment, see "Boot walk" below) it may run any time later. It reads nothing from
-- the process's globals, which process code may have changed by then.
--
-- It numbers every object of the booted state, walked from fixed roots in a deterministic order
-- ("permanents"). Two runtimes booted with the same library and env get
-- the same numbering, so a snapshot can refer to boot-time objects by number: restore fills the
-- fresh runtime's own object in place, which keeps the references that boot-time closures hold.
--
-- A snapshot is a Lua text chunk that rebuilds the state reachable from the roots when run in a
-- freshly booted runtime (see `restore`). It is deterministic: objects are numbered in
-- breadth-first order with table keys sorted (numbers, strings, booleans, then object keys), so
-- the same state gives the same bytes and sha256(snapshot) can serve as a state digest.
--
-- Saved: tables (identity, cycles, sharing, metatables even behind __metatable), strings (any
-- bytes), numbers (integer/float subtype, -0.0, inf, nan), booleans, Lua closures (bytecode with
-- debug info, upvalue values, shared upvalue cells; cells of boot-time closures are joined, so
-- module locals stay shared), the values of boot-time closures' upvalues, dead coroutines (as a
-- fresh dead coroutine), and the sandbox's fixed-seed math.random state. Boot-time C functions,
-- the main thread and the sandbox's own functions are references, never serialised.
-- Not saved: suspended coroutines, C functions or userdata made after boot (snapshot returns nil
-- and the path to them; a digest writes a marker instead), sandbox internals (clock, budget).
-- Limits: `#t` on a table with holes may pick another border after restore (Lua leaves it
-- unspecified); object keys reachable only as keys of one table, with identical content, are
-- ordered arbitrarily among themselves (restore is right, the bytes may vary). Snapshots hold
-- bytecode: restore only snapshots this host made.

local T, cu, boot_list, want_record = ...

local getupvalue, setupvalue, upvalueid, upvaluejoin = T.getupvalue, T.setupvalue, T.upvalueid,
  T.upvaluejoin
local getmetatable, setmetatable, getinfo = T.getmetatable, T.setmetatable, T.getinfo
local dump, load, next, type, rawget, rawset, tostring = T.dump, T.load, T.next, T.type, T.rawget,
  T.rawset, T.tostring
local mtype, huge, fmt, gsub, concat, sort = T.mtype, T.huge, T.format, T.gsub, T.concat, T.sort
local co_create, co_resume, co_status, co_running = T.co_create, T.co_resume, T.co_status,
  T.co_running
local collect, select, error, pcall = T.collect, T.select, T.error, T.pcall
local rawequal = T.rawequal
local SANDBOX = T.sandbox_source
local VERSION = "ao_kernel checkpoint 1"
local MININT = T.mininteger

-- Roots, in walk order. Everything a process can reach lives under these.
local main_thread = co_running()
local ipairs_aux = T.ipairs({})
local codes_aux = T.utf8_codes("")
local ROOTS = { T.G, T.loaded, T.string_meta, cu, main_thread, ipairs_aux, codes_aux }
local ROOT_NAMES = { "_G", "package.loaded", "<string metatable>", "<loader>", "<main thread>",
  "<ipairs iterator>", "<utf8.codes iterator>" }

-- The sandbox's fixed-seed math.random keeps its state in the upvalue `lcg`.
local LCG_FN, LCG_IDX = T.random, nil
do
  local i = 1
  while true do
    local name = getupvalue(LCG_FN, i)
    if name == nil then break end
    if name == "lcg" then LCG_IDX = i end
    i = i + 1
  end
end

-- ---------------------------------------------------------------------------------------------
-- Function facts (cached per function object; weak keys)
-- ---------------------------------------------------------------------------------------------

local fn_kind = setmetatable({}, { __mode = "k" }) -- "C", "L" (Lua) or "S" (sandbox Lua)
local fn_nups = setmetatable({}, { __mode = "k" })
local function kind_of(f)
  local k = fn_kind[f]
  if k == nil then
    local info = getinfo(f, "Su")
    if info.what == "C" then k = "C" elseif info.source == SANDBOX then k = "S" else k = "L" end
    fn_kind[f], fn_nups[f] = k, info.nups
  end
  return k
end

-- ---------------------------------------------------------------------------------------------
-- Key order: numbers ascending, strings by bytes, false before true, then object keys ordered by
-- their number in the walk (already numbered first), then by a content fingerprint.
-- ---------------------------------------------------------------------------------------------

local RANK = { table = 1, ["function"] = 2, thread = 3, userdata = 4 }

local function fingerprint(v)
  local tv = type(v)
  local out = (RANK[tv] or 9) .. tv
  if tv == "function" and kind_of(v) ~= "C" then
    local ok, code = pcall(dump, v)
    if ok then out = out .. code end
  elseif tv == "table" then
    local parts, n = {}, 0
    for k, x in next, v do
      local tk, tx = type(k), type(x)
      if (tk == "string" or tk == "number" or tk == "boolean")
        and (tx == "string" or tx == "number" or tx == "boolean") then
        n = n + 1
        parts[n] = fmt("%s=%s", tostring(k), tostring(x))
      end
    end
    sort(parts)
    out = out .. concat(parts, ",")
  elseif tv == "thread" then
    out = out .. co_status(v)
  end
  return out
end

-- Returns the keys of t in the canonical order, their count, and whether all of them are
-- strings, numbers or booleans. `num` maps objects to their walk number.
local function ordered_keys(t, num)
  local nums, strs, others = {}, {}, nil
  local nn, ns = 0, 0
  local has_false, has_true = false, false
  for k in next, t do
    local tk = type(k)
    if tk == "string" then
      ns = ns + 1; strs[ns] = k
    elseif tk == "number" then
      nn = nn + 1; nums[nn] = k
    elseif k == true then
      has_true = true
    elseif k == false then
      has_false = true
    else
      others = others or {}
      others[#others + 1] = k
    end
  end
  if nn > 1 then sort(nums) end
  if ns > 1 then sort(strs) end
  local keys = nums
  for i = 1, ns do keys[nn + i] = strs[i] end
  local n = nn + ns
  if has_false then n = n + 1; keys[n] = false end
  if has_true then n = n + 1; keys[n] = true end
  if others then
    local known, unknown = {}, {}
    for _, k in T.ipairs(others) do
      if num[k] then known[#known + 1] = k else unknown[#unknown + 1] = k end
    end
    sort(known, function(a, b) return num[a] < num[b] end)
    if #unknown > 1 then
      local fp = {}
      for _, k in T.ipairs(unknown) do fp[k] = fingerprint(k) end
      sort(unknown, function(a, b) return fp[a] < fp[b] end)
    end
    for _, k in T.ipairs(known) do n = n + 1; keys[n] = k end
    for _, k in T.ipairs(unknown) do n = n + 1; keys[n] = k end
  end
  return keys, n, others == nil
end

-- lupa hands Lua strings to the host decoded as UTF-8, so the snapshot text must be valid UTF-8
-- (without surrogates, which Python refuses). Our own text is ASCII; bytes above 127 only occur
-- inside string literals, where `\ddd` escapes them without changing the string. A piece that
-- is already valid UTF-8 is kept as it is (checking is much faster than rewriting).
local ESC = {}
for b = 128, 255 do ESC[T.char(b)] = fmt("\\%03d", b) end
local ulen, find = T.ulen, T.find
local function clean(text, force)
  if not force and ulen(text) and not find(text, "\237", 1, true) then return text end
  return (gsub(text, "[\128-\255]", ESC))
end

-- ---------------------------------------------------------------------------------------------
-- Boot walk: number the permanents and the upvalue cells of boot-time closures.
--
-- The walk is the costly part of installing the persister, so the host walks only the first
-- runtime of each library: with `want_record` it also writes the walk down as a "boot record", a
-- chunk that, run in another runtime right after the same boot, finds the same objects by the
-- same steps (a key of a numbered table, a metatable, an upvalue) without sorting anything. The
-- host runs that record at each later boot and hands its list here (`boot_list`) when the
-- persister is first needed, so the numbering is of the boot-time state. The record checks the
-- type of every object it finds and returns nil on any difference; the host then walks.
-- ---------------------------------------------------------------------------------------------

local perm = {}          -- object -> permanent number (strong: keeps boot objects and cells alive)
local perm_list = {}     -- permanent number -> object
local cell_fn = {}       -- upvalue id -> permanent number of the first boot closure holding it
local cell_idx = {}      -- upvalue id -> its index in that closure
local cell_opaque = {}   -- upvalue id -> true when it belongs to the sandbox (never saved)
local boot_record = nil  -- with want_record: the boot record's source (nil when none can be made)

-- The record starts from the same roots as ROOTS, computed the same way from the same tools.
local RECORD_HEAD = [[
local T, cu = ...
local R, M, getupvalue, type = T.rawget, T.getmetatable, T.getupvalue, T.type
local function U(f, u) local _, v = getupvalue(f, u) return v end
local ipairs_aux = T.ipairs({})
local codes_aux = T.utf8_codes("")
local p = { T.G, T.loaded, T.string_meta, cu, T.co_running(), ipairs_aux, codes_aux }
]]
local RECORD_TAIL = [[
local KIND = { table = 116, ["function"] = 102, thread = 104, userdata = 117 }
local want = { T.byte(TYPES, 1, -1) }
for i = 1, #want do
  if KIND[type(p[i])] ~= want[i] then return nil end
end
if p[#want + 1] ~= nil then return nil end
return p
]]
local TYPE_LETTER = { table = "t", ["function"] = "f", thread = "h", userdata = "u" }

-- A table key as Lua source text for the boot record.
local function key_source(k)
  local tk = type(k)
  if tk == "string" then return fmt("%q", k) end
  if tk == "boolean" then return tostring(k) end
  if mtype(k) == "integer" then
    if k == MININT then return "(-0x7fffffffffffffff-1)" end
    return fmt("%d", k)
  end
  if k == huge then return "1e9999" end
  if k == -huge then return "-1e9999" end
  return fmt("%a", k)
end

if boot_list then
  for i = 1, #boot_list do
    local v = boot_list[i]
    if perm[v] ~= nil then error("checkpoint: a boot object was recorded twice", 0) end
    perm[v], perm_list[i] = i, v
  end
else
  local n = 0
  local steps, types = want_record and {} or nil, want_record and {} or nil
  local function add(v, step)
    local tv = type(v)
    if tv == "table" or tv == "function" or tv == "thread" or tv == "userdata" then
      if perm[v] == nil then
        n = n + 1
        perm[v], perm_list[n] = n, v
        if steps then
          types[n] = TYPE_LETTER[tv]
          if n > #ROOTS then
            if step then steps[#steps + 1] = "p[" .. n .. "]=" .. step .. "\n" else steps = nil end
          end
        end
      end
    end
  end
  for i = 1, #ROOTS do add(ROOTS[i]) end
  local i = 0
  while i < n do
    i = i + 1
    local v = perm_list[i]
    local tv = type(v)
    local at = steps and "(p[" .. i .. "]"
    if tv == "table" then
      add(getmetatable(v), at and "M" .. at .. ")")
      local keys, nk = ordered_keys(v, perm)
      for j = 1, nk do
        local k = keys[j]
        add(k, nil)
        if at then
          local key = perm[k] and "p[" .. perm[k] .. "]" or key_source(k)
          add(rawget(v, k), "R" .. at .. "," .. key .. ")")
        else
          add(rawget(v, k))
        end
      end
    elseif tv == "function" then
      -- Sandbox internals stay opaque: their upvalues are not walked.
      if kind_of(v) == "L" then
        for u = 1, fn_nups[v] do
          add(select(2, getupvalue(v, u)), at and "U" .. at .. "," .. u .. ")")
        end
      end
    elseif tv == "userdata" then
      add(getmetatable(v), at and "M" .. at .. ")")
    end
  end
  if steps then
    boot_record = clean(concat({ RECORD_HEAD, concat(steps), "local TYPES = \"", concat(types),
      "\"\n", RECORD_TAIL }), true)
  end
end

-- Cells in numbering order: the first boot closure (by number) holding a cell names it.
for i = 1, #perm_list do
  local v = perm_list[i]
  if type(v) == "function" then
    local kind = kind_of(v)
    if kind ~= "C" then
      for u = 1, fn_nups[v] do
        local id = upvalueid(v, u)
        if cell_fn[id] == nil then
          cell_fn[id], cell_idx[id] = i, u
          if kind == "S" then cell_opaque[id] = true end
        end
      end
    end
  end
end
local PERM_COUNT = #perm_list

-- ---------------------------------------------------------------------------------------------
-- Snapshot
-- ---------------------------------------------------------------------------------------------

local function number_text(v)
  if mtype(v) == "integer" then
    if v == MININT then return "math_mininteger" end
    return fmt("%d", v)
  end
  if v ~= v then return "(0/0)" end
  if v == huge then return "1e9999" end
  if v == -huge then return "-1e9999" end
  return fmt("%a", v)
end

local function literal(v)
  local tv = type(v)
  if tv == "string" then return fmt("%q", v) end
  if tv == "number" then return number_text(v) end
  return tostring(v) -- boolean or nil
end

-- The bytecode of a function made after boot, as a Lua string literal of ASCII text. Escaping
-- binary is a fifth of a snapshot, and the same functions (handlers, say) are written again by
-- every snapshot of a process, so literals are remembered (a bounded cache, host-only).
local literals, literal_count, LITERALS_MAX = {}, 0, 256
local function code_literal(code)
  local text = literals[code]
  if text == nil then
    text = clean(fmt("%q", code), true)
    if literal_count >= LITERALS_MAX then literals, literal_count = {}, 0 end
    literals[code], literal_count = text, literal_count + 1
  end
  return text
end

local PRIMITIVE = { string = true, number = true, boolean = true, ["nil"] = true }

-- Boot tables as the last snapshot wrote them: most (the library's modules) never change, and
-- sorting and formatting them again is most of a snapshot. An entry keeps the table's keys in
-- order, its entries (to tell it is unchanged), the text of its primitive entries, and the keys
-- of its other entries (written separately, as they refer to walk numbers). Only tables whose
-- keys are all strings, numbers or booleans and that hold no float (0.0 and -0.0 are equal but
-- written differently) are kept; host-only, weak, and the same text comes out either way.
local memo = setmetatable({}, { __mode = "k" })

local function unchanged(v, m)
  local vals, count = m.vals, 0
  for k, x in next, v do
    count = count + 1
    if not rawequal(vals[k], x) or mtype(x) ~= mtype(vals[k]) then return false end
  end
  return count == m.count
end



-- mode "snapshot": fails on what cannot be restored; mode "digest": records it as a marker.
local function capture(mode, force)
  local num, objs, n = {}, {}, 0
  local via_parent, via_key = {}, {}
  local refs = {}
  local cur = 0
  local weak_seen = false

  local function ref(v, key)
    local r = PRIMITIVE[type(v)] and literal(v)
    if r then return r end
    local m = num[v]
    if m == nil then
      n = n + 1
      m = n
      num[v], objs[n] = m, v
      via_parent[m], via_key[m] = cur, key
      r = "o[" .. m .. "]"
      refs[m] = r
      return r
    end
    return refs[m]
  end

  local function path_of(m)
    local parts = {}
    while m and m > 0 do
      local p, k = via_parent[m], via_key[m]
      if p == 0 then
        parts[#parts + 1] = ROOT_NAMES[m] or "?"
        break
      end
      if type(k) == "string" and fmt("%.1s", k) == "<" then
        parts[#parts + 1] = k
      elseif type(k) == "string" then
        parts[#parts + 1] = "." .. k
      else
        parts[#parts + 1] = "[" .. tostring(k) .. "]"
      end
      m = p
    end
    local out = {}
    for i = #parts, 1, -1 do out[#out + 1] = parts[i] end
    return concat(out)
  end

  for i = 1, #ROOTS do ref(ROOTS[i], nil) end

  local B0, B1, B2, B3, B4 = {}, {}, {}, {}, {}
  local n0, n1, n2, n3, n4 = 0, 0, 0, 0, 0
  local protos, nprotos = {}, 0
  local cell_seen = {}
  local failure

  -- The value of an upvalue cell, saved once per cell, through `owner_text`/`idx`.
  local function save_cell(id, owner_text, idx, f, u)
    cell_seen[id] = true
    local _, value = getupvalue(f, u)
    n4 = n4 + 1
    B4[n4] = fmt("U(%s,%d,%s)\n", owner_text, idx, ref(value, "<upvalue " .. u .. ">"))
  end

  local i = 0
  while i < n do
    i = i + 1
    cur = i
    local v = objs[i]
    local tv = type(v)
    local me = refs[i]
    local p = perm[v]
    if tv == "table" then
      local mt = getmetatable(v)
      if mt ~= nil and not weak_seen and rawget(mt, "__mode") ~= nil then weak_seen = true end
      local m = p and not force and memo[v]
      local body
      if m and unchanged(v, m) then
        body = m.body
        local others = m.others
        for jj = 1, #others do
          local k = others[jj]
          local kt = ref(k, k)
          n2 = n2 + 1
          B2[n2] = me .. "[" .. kt .. "]=" .. ref(rawget(v, k), k) .. "\n"
        end
      else
        local keys, nk, plain = ordered_keys(v, num)
        local parts, np = {}, 0
        local others, no = {}, 0
        local j = 1
        -- the array part: 1..k with primitive values, written positionally
        while j <= nk do
          local k = keys[j]
          if k ~= j then break end
          local x = rawget(v, k)
          if not PRIMITIVE[type(x)] then break end
          if mtype(x) == "float" then plain = false end
          np = np + 1
          parts[np] = literal(x)
          j = j + 1
        end
        for jj = j, nk do
          local k = keys[jj]
          local x = rawget(v, k)
          local tk, tx = type(k), type(x)
          if tk == "string" and tx == "string" then
            np = np + 1
            parts[np] = fmt("[%q]=%q", k, x)
          elseif tk == "string" and tx == "number" and mtype(x) == "integer" and x ~= MININT then
            np = np + 1
            parts[np] = fmt("[%q]=%d", k, x)
          elseif PRIMITIVE[tk] and PRIMITIVE[tx] then
            if mtype(x) == "float" or mtype(k) == "float" then plain = false end
            np = np + 1
            parts[np] = "[" .. literal(k) .. "]=" .. literal(x)
          else
            local kt = ref(k, k)
            n2 = n2 + 1
            B2[n2] = me .. "[" .. kt .. "]=" .. ref(x, k) .. "\n"
            no = no + 1
            others[no] = k
          end
        end
        body = clean("{" .. concat(parts, ",") .. "}", force)
        if p and not force then
          if plain then
            local vals = {}
            for jj = 1, nk do
              local k = keys[jj]
              vals[k] = rawget(v, k)
            end
            memo[v] = { vals = vals, count = nk, body = body, others = others }
          else
            memo[v] = nil
          end
        end
      end
      n1 = n1 + 1
      if p then
        B1[n1] = me .. "=F(" .. p .. "," .. body .. ")\n"
      else
        B1[n1] = me .. "=" .. body .. "\n"
      end
      if mt ~= nil then
        n3 = n3 + 1
        B3[n3] = "M(" .. me .. "," .. ref(mt, "<metatable>") .. ")\n"
      elseif p then
        n3 = n3 + 1
        B3[n3] = "M(" .. me .. ")\n"
      end
    elseif tv == "function" then
      local kind = kind_of(v)
      if p then
        n1 = n1 + 1
        B1[n1] = me .. "=P[" .. p .. "]\n"
        if kind == "L" then
          for u = 1, fn_nups[v] do
            local id = upvalueid(v, u)
            if not cell_seen[id] then save_cell(id, me, u, v, u) end
          end
        end
      elseif kind == "C" then
        if mode == "digest" then
          n1 = n1 + 1
          B1[n1] = me .. "=Z'C function'\n"
        else
          failure = "a C function created after boot is reachable at " .. path_of(i)
          break
        end
      else
        local code = dump(v)
        local k = protos[code]
        if k == nil then
          nprotos = nprotos + 1
          k = nprotos
          protos[code] = k
          n0 = n0 + 1
          B0[n0] = "B[" .. k .. "]=" .. code_literal(code) .. "\n"
        end
        n1 = n1 + 1
        B1[n1] = me .. "=L(B[" .. k .. "])\n"
        for u = 1, fn_nups[v] do
          local id = upvalueid(v, u)
          local pf = cell_fn[id]
          if pf then
            -- a boot-time cell: share it, and save its value unless it is sandbox-internal
            local owner = "P[" .. pf .. "]"
            n4 = n4 + 1
            B4[n4] = fmt("J(%s,%d,%s,%d)\n", me, u, owner, cell_idx[id])
            if not cell_seen[id] and not cell_opaque[id] then
              save_cell(id, owner, cell_idx[id], v, u)
            end
          elseif cell_seen[id] then
            n4 = n4 + 1
            B4[n4] = fmt("J(%s,%d,%s,%d)\n", me, u, cell_seen[id][1], cell_seen[id][2])
          else
            save_cell(id, me, u, v, u)
            cell_seen[id] = { me, u }
          end
        end
      end
    elseif tv == "thread" then
      if p then
        n1 = n1 + 1
        B1[n1] = me .. "=P[" .. p .. "]\n"
      else
        local status = co_status(v)
        if status == "dead" then
          n1 = n1 + 1
          B1[n1] = me .. "=D()\n"
        elseif mode == "digest" then
          n1 = n1 + 1
          B1[n1] = me .. "=Z'" .. status .. " coroutine'\n"
        else
          failure = "a " .. status .. " coroutine is reachable at " .. path_of(i)
            .. " (a pending Receive?); coroutines cannot be checkpointed"
          break
        end
      end
    else -- userdata
      if p then
        n1 = n1 + 1
        B1[n1] = me .. "=P[" .. p .. "]\n"
      elseif mode == "digest" then
        n1 = n1 + 1
        B1[n1] = me .. "=Z'userdata'\n"
      else
        failure = "a userdata is reachable at " .. path_of(i)
        break
      end
    end
  end
  if failure then return nil, failure, false end

  local lcg = ""
  if LCG_IDX then lcg = "R(" .. literal(select(2, getupvalue(LCG_FN, LCG_IDX))) .. ")\n" end
  local text = concat({
    "-- ", VERSION, "\nlocal P,L,D,F,M,U,J,R,Z,K,math_mininteger=...\nK(", PERM_COUNT, ",", n,
    ")\nlocal o,B={},{}\n", concat(B0), concat(B1), clean(concat(B2), force), concat(B3),
    clean(concat(B4), force), lcg,
  })
  return text, nil, weak_seen
end

local persist = {}

-- The snapshot text, or nil and the reason it cannot be taken. `force_ascii` escapes every byte
-- above 127 (see `clean`). Weak tables make the reachable state depend on when the collector
-- last ran, so when one is met a full collection runs and the walk starts again.
function persist.snapshot(mode, force_ascii)
  local text, why, weak = capture(mode, force_ascii)
  if weak then
    collect("collect")
    text, why = capture(mode, force_ascii)
  end
  return text, why
end

-- ---------------------------------------------------------------------------------------------
-- Restore (into a freshly booted runtime whose persister has not seen any message yet)
-- ---------------------------------------------------------------------------------------------

local function fill(p, src)
  local t = perm_list[p]
  setmetatable(t, nil)
  local k = next(t)
  while k ~= nil do
    rawset(t, k, nil)
    k = next(t, k)
  end
  for key, x in next, src do rawset(t, key, x) end
  return t
end

local function load_function(code)
  local f, err = load(code, "=checkpoint", "b")
  if not f then error("checkpoint: bad function: " .. tostring(err), 0) end
  return f
end

local function dead()
  local co = co_create(function() end)
  co_resume(co)
  return co
end

local function marker(what)
  error("checkpoint: this is a digest, not a snapshot (it holds a " .. what .. ")", 0)
end

local function check(count)
  if count ~= PERM_COUNT then
    error("checkpoint: taken with a different library or env (" .. count .. " boot objects, this "
      .. "runtime has " .. PERM_COUNT .. ")", 0)
  end
end

local function set_meta(t, mt) setmetatable(t, mt) end
local function set_lcg(v) setupvalue(LCG_FN, LCG_IDX, v) end

-- `text` is a snapshot, or (binary true) the host's own compilation of one.
function persist.restore(text, binary)
  local chunk, err = load(text, "=checkpoint", binary and "b" or "t", {})
  if not chunk then error("checkpoint: " .. tostring(err), 0) end
  chunk(perm_list, load_function, dead, fill, set_meta, setupvalue, upvaluejoin, set_lcg,
    marker, check, MININT)
  return true
end

persist.VERSION = VERSION
persist.PERM_COUNT = PERM_COUNT
persist.boot_record = boot_record
persist.boot_objects = perm_list
return persist
