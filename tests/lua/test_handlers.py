"""The aos-compatible Handlers library (patterns, handlers, handlers-utils) at the Lua level.

Messages are built by hand in the shape aos hands to handlers: root fields plus a `Tags` map.
`deliver(m)` runs `Handlers.evaluate` inside a coroutine wrapped in pcall, as the process
library does, and raises the evaluation error if there is one.
"""

from __future__ import annotations

import pytest

from ao_kernel.lua.runtime import LuaCodeError, Runtime

PRELUDE = r"""
Handlers = require(".handlers")
patterns = require(".patterns")
LOG = {}
Inbox = {}
ENV = { Process = { Id = "P", Owner = "O", Tags = {} } }

function log(s) LOG[#LOG + 1] = tostring(s) end
function logged() return table.concat(LOG, ",") end

-- A message in handler view: root fields, plus a Tags map of the string fields (or `tags`).
function M(fields, tags)
  local m = {}
  for k, v in pairs(fields) do m[k] = v end
  if tags == nil then
    tags = {}
    for k, v in pairs(fields) do
      if type(v) == "string" and k ~= "From" and k ~= "Data" then tags[k] = v end
    end
  end
  m.Tags = tags
  m.reply = function(r) log("reply:" .. tostring(r.Data) .. ">" .. tostring(m.From)) end
  return m
end

function deliver(m)
  local co = coroutine.create(function() return pcall(Handlers.evaluate, m, ENV) end)
  local ok, status, err = coroutine.resume(co)
  if not ok then error(status, 0) end
  if status == false then error(err, 0) end
end

function names()
  local out = {}
  for i, h in ipairs(Handlers.list) do out[i] = h.name end
  return table.concat(out, ",")
end

Handlers.append("_default", function() return true end, function(m)
  Inbox[#Inbox + 1] = m
  log("inbox:" .. tostring(m.Action or m.Data))
end)
"""


@pytest.fixture
def lua():
    rt = Runtime()
    rt.execute(PRELUDE)
    return rt.execute


# ---------------------------------------------------------------- patterns.matchesPattern


@pytest.mark.parametrize(
    ("pattern", "value", "expected"),
    [
        ('"_"', '"anything"', True),
        ("nil", '"x"', False),
        ("false", '"x"', False),
        ('"Ping"', '"Ping"', True),
        ('"ping"', '"PING"', True),  # case-insensitive at HEAD
        ('"Ping"', '"Pong"', False),
        ('"Credit-Notice"', '"credit-notice"', True),  # '-' alone is not magic
        ('"Credit-Notice"', '"CreditXNotice"', False),
        ('"%d+"', '"123"', True),
        ('"^%d+$"', '"12a"', False),
        ('"^Ab"', '"aBc"', True),  # Lua patterns also ignore case
        ('"^%S+$"', '"ABC"', True),  # ...but keep the meaning of %-classes
        ('"^%S+$"', '"a b"', False),
        ('"^[A-C]+$"', '"abc"', True),
        ('{"A", "B"}', '"b"', True),  # table = any of
        ('{"A", "B"}', '"c"', False),
        ('{"A", "_"}', '"c"', True),
        ("function(v) return v == 'x' end", '"x"', True),
        ("function(v) return v == 'x' end", '"y"', False),
        ("function(v) return 0 end", '"y"', True),  # Lua truthiness
        ('"5"', "5", False),  # non-string values compare by ==
        ("5", "5", False),  # only strings, functions and tables are patterns
    ],
)
def test_matches_pattern(lua, pattern, value, expected):
    assert lua(f"return patterns.matchesPattern({pattern}, {value}, {{}})") is expected


def test_function_pattern_receives_value_and_message(lua):
    got = lua(
        """
        local m = { Qty = "7" }
        return patterns.matchesPattern(function(v, msg) return v == "7" and msg == m end, "7", m)
        """
    )
    assert got is True


# ---------------------------------------------------------------- patterns.matchesSpec


def test_matches_spec_function_returns_its_value(lua):
    assert lua('return patterns.matchesSpec({}, function() return "continue" end)') == "continue"
    assert lua("return patterns.matchesSpec({}, function() return 5 end)") == 5
    assert lua("return patterns.matchesSpec({}, function() return nil end)") is None


def test_matches_spec_string_is_exact_action(lua):
    assert lua('return patterns.matchesSpec({Action = "Shout"}, "Shout")') is True
    assert lua('return patterns.matchesSpec({Action = "shout"}, "Shout")') is False
    assert lua('return patterns.matchesSpec({}, "Shout")') is False


def test_matches_spec_table(lua):
    assert lua('return patterns.matchesSpec({Action = "HELLO"}, {Action = "hello"})') is True
    # every key must be present and truthy on the root of the message
    assert lua('return patterns.matchesSpec({Tags = {Action = "A"}}, {Action = "A"})') is False
    assert lua('return patterns.matchesSpec({X = false}, {X = "_"})') is False
    assert lua('return patterns.matchesSpec({A = "1"}, {A = "1", B = "_"})') is False
    assert lua('return patterns.matchesSpec({A = "1", B = "z"}, {A = "1", B = "_"})') is True
    assert lua('return patterns.matchesSpec({Quantity = "12"}, {Quantity = "%d+"})') is True
    assert lua("return patterns.matchesSpec({}, {})") is True
    assert lua("return patterns.matchesSpec({}, 42)") is False


# ---------------------------------------------------------------- registering handlers


def test_two_argument_add_uses_name_as_action(lua):
    lua(
        """
        Handlers.add("Ping", function(m) log("ping") end)
        deliver(M{Action = "Ping", From = "X"})
        deliver(M{Action = "ping", From = "X"})
        """
    )
    assert lua("return logged()") == "ping,inbox:ping"
    assert lua("return Handlers.list[2].pattern") == "Ping"


def test_add_append_prepend_order_and_update_in_place(lua):
    lua(
        """
        Handlers.add("A", "A", function() log("a1") end)
        Handlers.append("B", "B", function() end)
        Handlers.prepend("C", "C", function() end)
        Handlers.add("A", "A", function() log("a2") end)
        Handlers.prepend("B", "B2", function() end)
        """
    )
    assert lua("return names()") == "C,_default,A,B"
    assert lua("return Handlers.list[4].pattern") == "B2"
    lua('deliver(M{Action = "A"})')
    assert lua("return logged()") == "a2"


@pytest.mark.parametrize(
    "call",
    [
        'Handlers.add("X", 5, function() end)',
        'Handlers.add(1, "X", function() end)',
        "Handlers.add(function() end)",
        'Handlers.add("X")',
        "Handlers.append(1, 2, 3)",
        'Handlers.prepend("X", 5, function() end)',
        'Handlers.once(5, function() end)',
        'Handlers.after("_default").add("X", 5, function() end)',
    ],
)
def test_argument_checks(lua, call):
    # aos checks only the name and the pattern, with one long message
    with pytest.raises(LuaCodeError, match="Invalid arguments given. Expected: \n\tname : string"):
        lua(call)


def test_handle_and_max_runs_are_not_checked(lua):
    # as in aos: any handle is accepted (it is wrapped), maxRuns is stored as given
    got = lua(
        """
        local a = Handlers.add("X", "X", 5)
        local b = Handlers.add("Y", "Y", function() end, "often")
        local c = Handlers.add("Z", "Z")
        return a, b, c, Handlers.list[3].maxRuns, Handlers.list[4].pattern
        """
    )
    assert got == (2, 3, 4, "often", "Z")


def test_add_returns_count_others_return_nothing(lua):
    got = lua(
        """
        local counts = {Handlers.add("A", "A", function() end),
                        Handlers.add("A", "A", function() end),
                        Handlers.add("B", "B", function() end)}
        return table.concat(counts, ","),
          select("#", Handlers.append("C", "C", function() end)),
          select("#", Handlers.prepend("D", "D", function() end)),
          select("#", Handlers.once("E", function() end)),
          select("#", Handlers.after("A").add("F", "F", function() end)),
          select("#", Handlers.remove("F"))
        """
    )
    assert got == ("2,2,3", 0, 0, 0, 0, 0)


def test_handles_are_wrapped_without_env(lua):
    # aos stores generateResolver(handle): the message only, no env
    got = lua(
        """
        F = function(m, env) return type(env) end
        Handlers.add("W", "W", F)
        local h = Handlers.list[#Handlers.list].handle
        local r = Handlers.generateResolver({W = function(m, env) return type(env) end})
        return h == F, h({}, {}), r({Action = "W"}, {}), select("#", r({Action = "V"}))
        """
    )
    assert got == (False, "nil", "nil", 0)


def test_bad_handles_fail_when_run(lua):
    lua('Handlers.add("X", "X", 5)')
    with pytest.raises(LuaCodeError, match=r"bad argument #1 to 'pairs' \(table expected"):
        lua('deliver(M{Action = "X"})')


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("Handlers.remove(5)", "name MUST be string"),
        ("Handlers.before(5)", "Handler name MUST be a string"),
        ("Handlers.after(5)", "Handler name MUST be a string"),
        ("Handlers.evaluate()", "msg is not valid"),
        ("Handlers.evaluate({})", "env is not valid"),
    ],
)
def test_other_argument_errors(lua, code, message):
    with pytest.raises(LuaCodeError, match=message):
        lua(code)


def test_before_after_builders_take_arguments_as_given(lua):
    got = lua(
        """
        local b = Handlers.before("_default")
        local keys = {}
        for k in pairs(b) do keys[#keys + 1] = k end
        F = function() end
        Handlers.after("_default").add("P", F)   -- no (name, handle) shorthand here
        return table.concat(keys, ","), Handlers.list[2].name, Handlers.list[2].pattern == F
        """
    )
    assert got == ("add", "P", True)


def test_max_runs_odd_values(lua):
    # decremented after each run, removed only when it reaches exactly 0 (as in aos)
    lua(
        """
        Handlers.add("S", "S", function() log("s") end, "2")
        Handlers.add("Z", "Z", function() log("z") end, 0)
        for _ = 1, 3 do deliver(M{Action = "S"}) end
        for _ = 1, 2 do deliver(M{Action = "Z"}) end
        """
    )
    assert lua("return logged()") == "s,s,inbox:S,z,z"
    assert lua("return Handlers.list[2].name, Handlers.list[2].maxRuns") == ("Z", -2)
    lua('Handlers.add("Bad", "Bad", function() end, "abc")')
    bad = r"attempt to perform arithmetic on a string value \(field 'maxRuns'\)"
    with pytest.raises(LuaCodeError, match=bad):
        lua('deliver(M{Action = "Bad"})')


def test_max_runs_follow_the_name(lua):
    # a handle that replaces its own entry: the new entry (no maxRuns) survives
    lua(
        """
        Handlers.add("R", "R", function()
          log("old")
          Handlers.add("R", "R", function() log("new") end)
        end, 1)
        deliver(M{Action = "R"})
        deliver(M{Action = "R"})
        """
    )
    assert lua("return logged()") == "old,new"


def test_max_runs(lua):
    """Scenario 22: maxRuns=2, the third matching message goes to the Inbox."""
    lua(
        """
        Handlers.add("Twice", "Go", function() log("go") end, 2)
        for _ = 1, 3 do deliver(M{Action = "Go"}) end
        """
    )
    assert lua("return logged()") == "go,go,inbox:Go"
    assert lua("return names()") == "_default"


def test_max_runs_inf(lua):
    lua(
        """
        Handlers.add("Always", "Go", function() log("go") end, "inf")
        for _ = 1, 3 do deliver(M{Action = "Go"}) end
        """
    )
    assert lua("return logged()") == "go,go,go"
    assert lua("return Handlers.list[2].maxRuns") == "inf"


def test_once_naming_and_position(lua):
    lua(
        """
        Handlers.add("Later", "Go", function() log("later") end)
        Handlers.once("Go", function() log("first") end)
        Handlers.once({Action = "Go"}, function() log("second") end)
        Handlers.once("Named", "Go", function() log("named") end)
        """
    )
    assert lua("return names()") == "Named,_once_1,_once_0,_default,Later"
    assert lua("return Handlers.onceNonce") == 2
    lua("for _ = 1, 4 do deliver(M{Action = 'Go'}) end")
    assert lua("return logged()") == "named,second,first,later"
    assert lua("return names()") == "_default,Later"


def test_before_and_after(lua):
    lua(
        """
        Handlers.add("A", "A", function() end)
        Handlers.add("B", "B", function() end)
        Handlers.before("B").add("X", "X", function() end)
        Handlers.after("A").add("Y", "Y", function() end)
        Handlers.after("B").add("Z", function() end)
        Handlers.before("missing").add("N", "N", function() end)
        Handlers.after("missing").add("N", "N", function() end)
        local b = Handlers.before("A")      -- index fixed now
        Handlers.prepend("Q", "Q", function() end)
        b.add("W", "W", function() end)
        """
    )
    assert lua("return names()") == "Q,W,_default,A,Y,X,B,Z"


def test_remove(lua):
    lua(
        """
        Handlers.add("A", "A", function() log("a") end)
        Handlers.remove("A")
        Handlers.remove("missing")
        deliver(M{Action = "A"})
        """
    )
    assert lua("return names()") == "_default"
    assert lua("return logged()") == "inbox:A"


# ---------------------------------------------------------------- evaluate


@pytest.mark.parametrize(
    ("result", "expected"),
    [
        ("true", "h,after-stop"),
        ("-1", "h,after-stop"),
        ("-7", "h,after-stop"),
        ('"break"', "h,after-stop"),
        ("1", "h,next,inbox:Go"),
        ('"continue"', "h,next,inbox:Go"),
        ("false", "next,inbox:Go"),
        ("0", "next,inbox:Go"),
        ('"nope"', "next,inbox:Go"),
    ],
)
def test_pattern_result_mapping(lua, result, expected):
    lua(
        f"""
        Handlers.add("H", function() return {result} end, function() log("h") end)
        Handlers.add("Next", function() return "continue" end, function() log("next") end)
        deliver(M{{Action = "Go"}})
        log("after-stop")
        """
    )
    got = lua("return logged()")
    if expected.endswith("after-stop"):
        assert got == expected
    else:
        assert got == expected + ",after-stop"


@pytest.mark.parametrize("result", ["nil", "{}", "function() end"])
def test_invalid_pattern_result(lua, result):
    """Scenario 20: a pattern returning nil (or another type) is an error."""
    lua(f'Handlers.add("Bad", function() return {result} end, function() log("ran") end)')
    with pytest.raises(
        LuaCodeError, match="Pattern result is not valid, it MUST be string, number, or boolean"
    ):
        lua('deliver(M{Action = "Go"})')
    assert lua("return logged()") == ""


def test_unmatched_goes_to_default(lua):
    """Scenario 17."""
    lua(
        """
        Handlers.add("Ping", "Ping", function() log("ping") end)
        deliver(M{Action = "Other", From = "X"})
        deliver(M{From = "X", Data = "hi"})
        """
    )
    assert lua("return logged()") == "inbox:Other,inbox:hi"
    assert lua("return #Inbox") == 2


def test_table_pattern_is_case_insensitive(lua):
    """Scenario 18."""
    lua(
        """
        Handlers.add("Hello", {Action = "hello"}, function(m) log("hello:" .. m.Action) end)
        deliver(M{Action = "HELLO"})
        deliver(M{Action = "hello"})
        deliver(M{Action = "bye"})
        """
    )
    assert lua("return logged()") == "hello:HELLO,hello:hello,inbox:bye"


def test_string_pattern_is_exact(lua):
    """Scenario 19."""
    lua(
        """
        Handlers.add("Shout", "Shout", function() log("shout") end)
        deliver(M{Action = "Shout"})
        deliver(M{Action = "shout"})
        """
    )
    assert lua("return logged()") == "shout,inbox:shout"


def test_continue_then_default(lua):
    """Scenario 21: a continue handler runs and the message still reaches the Inbox."""
    lua(
        """
        Handlers.add("Log", function() return "continue" end, function() log("log") end)
        deliver(M{Action = "Anything"})
        """
    )
    assert lua("return logged()") == "log,inbox:Anything"
    assert lua("return #Inbox") == 1


def test_default_is_skipped_by_the_walk(lua):
    lua(
        """
        Handlers.remove("_default")
        Handlers.prepend("_default", function() return true end, function() log("default") end)
        Handlers.add("A", "A", function() log("a") end)
        deliver(M{Action = "A"})
        deliver(M{Action = "B"})
        """
    )
    assert lua("return names()") == "_default,A"
    assert lua("return logged()") == "a,default"


def test_no_default_handler(lua):
    lua('Handlers.remove("_default") deliver(M{Action = "A"})')
    assert lua("return logged()") == ""


def test_handler_receives_no_env(lua):
    # aos wraps every handle in generateResolver, which passes the message only
    lua(
        """
        Handlers.add("E", "E", function(m, env) log(type(env)) end)
        deliver(M{Action = "E"})
        """
    )
    assert lua("return logged()") == "nil"


def test_handler_error_is_reraised_with_prefix(lua):
    lua(
        """
        Handlers.add("Boom", "Boom", function() Seen = true; error("kaput") end)
        Handlers.add("After", "Boom", function() log("after") end)
        """
    )
    with pytest.raises(LuaCodeError) as info:
        lua('deliver(M{Action = "Boom"})')
    text = str(info.value)
    assert "kaput" in text
    assert text.startswith('[string ".handlers"]:')
    assert lua("return Seen") is True
    assert lua("return logged()") == ""


def test_handler_error_with_table_value_passes_through(lua):
    lua('Handlers.add("Boom", "Boom", function() error({code = 7}) end)')
    got = lua(
        """
        local co = coroutine.create(function()
          return pcall(Handlers.evaluate, M{Action = "Boom"}, ENV)
        end)
        local _, ok, err = coroutine.resume(co)
        return ok, err.code
        """
    )
    assert got == (False, 7)


def test_evaluate_checks_arguments(lua):
    with pytest.raises(LuaCodeError):
        lua("Handlers.evaluate(nil, ENV)")
    with pytest.raises(LuaCodeError):
        lua("Handlers.evaluate({}, nil)")


def test_once_continue_then_after_is_skipped_once(lua):
    """Scenario 23: removing a handler mid-walk skips the next one."""
    lua(
        """
        Handlers.once("A", function() return "continue" end, function() log("A") end)
        Handlers.after("A").add("B", function() return "continue" end, function() log("B") end)
        """
    )
    assert lua("return names()") == "A,B,_default"
    lua('deliver(M{Action = "One"})')
    assert lua("return logged()") == "A,inbox:One"
    lua('LOG = {} deliver(M{Action = "Two"})')
    assert lua("return logged()") == "B,inbox:Two"


def test_resolver_table(lua):
    """Scenario 24: the matching spec runs; no match runs nothing and skips the Inbox."""
    lua(
        """
        Handlers.add("Update", "Update", {
          [{Status = "Ready"}] = function(m) log("ready") end,
          [{Status = "Failed"}] = function(m) log("failed") end,
          [function(m) return m.Status == "Odd" end] = function(m, env) log("odd") end,
        })
        deliver(M{Action = "Update", Status = "ready"})
        deliver(M{Action = "Update", Status = "Failed"})
        deliver(M{Action = "Update", Status = "Odd"})
        deliver(M{Action = "Update", Status = "Pending"})
        """
    )
    assert lua("return logged()") == "ready,failed,odd"
    assert lua("return #Inbox") == 0


def test_generate_resolver(lua):
    got = lua(
        """
        local r = Handlers.generateResolver({ [{X = "1"}] = function(m) return "one" end })
        local f = Handlers.generateResolver(function(m) return "fn" end)
        return r({X = "1"}), r({X = "2"}), f({})
        """
    )
    assert got == ("one", None, "fn")


# ---------------------------------------------------------------- receive


def test_receive_suspends_and_resumes(lua):
    """Scenario 28 at the Handlers level."""
    lua(
        """
        Handlers.add("Wait", "Wait", function(m)
          log("waiting")
          local got = Handlers.receive({Action = "Go"})
          log("got:" .. got.Data .. " in " .. m.Action)
        end)
        deliver(M{Action = "Wait"})
        """
    )
    assert lua("return logged()") == "waiting"
    assert lua("return names()") == "_once_0,_default,Wait"
    assert lua("return #Handlers.coroutines") == 1
    lua('deliver(M{Action = "Other"}) deliver(M{Action = "go", Data = "D"})')
    assert lua("return logged()") == "waiting,inbox:Other,got:D in Wait"
    assert lua("return #Inbox") == 1
    assert lua("return names()") == "_default,Wait"
    assert lua("return #Handlers.coroutines") == 0


def test_receive_reply_reference(lua):
    """Scenario 27 at the Handlers level: only the right X-Reference resumes the handler."""
    lua(
        """
        Handlers.add("Ask", "Ask", function(m)
          local answer = Handlers.receive({From = "O2", ["X-Reference"] = "1"})
          log("answer:" .. answer.Data)
          m.reply({Data = "done"})
        end)
        deliver(M{Action = "Ask", From = "U"})
        deliver(M{From = "O2", ["X-Reference"] = "9", Data = "wrong"})
        deliver(M{From = "O2", ["X-Reference"] = "1", Data = "right"})
        """
    )
    assert lua("return logged()") == "inbox:wrong,answer:right,reply:done>U"


def test_receive_twice_in_one_handler(lua):
    lua(
        """
        Handlers.add("Two", "Two", function(m)
          local a = Handlers.receive("First")
          local b = Handlers.receive("Second")
          log(a.Data .. "+" .. b.Data)
        end)
        deliver(M{Action = "Two"})
        deliver(M{Action = "Second", Data = "early"})
        deliver(M{Action = "First", Data = "1"})
        deliver(M{Action = "Second", Data = "2"})
        """
    )
    assert lua("return logged()") == "inbox:Second,1+2"
    assert lua("return names()") == "_default,Two"
    assert lua("return Handlers.onceNonce") == 2


def test_walk_of_the_waiting_message_resumes_too(lua):
    """After resuming, the original message's walk carries on (continue pattern).

    The once-handler prepended by receive shifted the list by one, so the walk's next index
    is the waiting handler itself again (its pattern is asked a second time), as in aos.
    """
    lua(
        """
        Visits = 0
        local function first_w(m)
          if m.Action ~= "W" then return false end
          Visits = Visits + 1
          return Visits == 1 and "continue" or false
        end
        Handlers.add("W", first_w, function() log("got:" .. Handlers.receive("Go").Data) end)
        Handlers.add("Tail", function() return "continue" end, function(m)
          log("tail:" .. m.Action)
        end)
        deliver(M{Action = "W"})
        deliver(M{Action = "Go", Data = "D"})
        """
    )
    assert lua("return logged()") == "got:D,tail:W,inbox:W"
    assert lua("return Visits") == 2


def test_error_after_resume_fails_the_later_message(lua):
    lua(
        """
        Handlers.add("W", "W", function()
          Handlers.receive("Go")
          error("late failure")
        end)
        deliver(M{Action = "W"})
        """
    )
    with pytest.raises(LuaCodeError, match="late failure"):
        lua('deliver(M{Action = "Go"})')


def test_receive_outside_a_coroutine(lua):
    with pytest.raises(LuaCodeError, match="outside a coroutine"):
        lua('Handlers.receive("Go")')
    assert lua("return names()") == "_default"


# ---------------------------------------------------------------- Handlers.utils


def test_utils_is_handlers_utils(lua):
    assert lua('return Handlers.utils == require(".handlers-utils")') is True


def test_has_matching_tag(lua):
    got = lua(
        """
        local p = Handlers.utils.hasMatchingTag("Action", "Ping")
        return p(M{Action = "Ping"}), p(M{Action = "ping"}), p(M({Action = "Ping"}, {}))
        """
    )
    assert got == (True, False, False)
    with pytest.raises(LuaCodeError):
        lua('Handlers.utils.hasMatchingTag("Action")')


def test_has_matching_tag_of(lua):
    got = lua(
        """
        local p = Handlers.utils.hasMatchingTagOf("Action", {"A", "B"})
        return p(M{Action = "B"}), p(M{Action = "C"})
        """
    )
    assert got == (True, False)


def test_has_matching_data(lua):
    got = lua(
        """
        local p = Handlers.utils.hasMatchingData("ping")
        return p({Data = "ping"}), p({Data = "PING"})
        """
    )
    assert got == (True, False)


def test_reply_helper(lua):
    lua(
        """
        Handlers.add("S", "S", Handlers.utils.reply("pong"))
        Handlers.add("T", "T", Handlers.utils.reply({Data = "tab"}))
        deliver(M{Action = "S", From = "U"})
        deliver(M{Action = "T", From = "V"})
        """
    )
    assert lua("return logged()") == "reply:pong>U,reply:tab>V"


def test_continue_helper(lua):
    lua(
        """
        local u = Handlers.utils
        Handlers.add("Spy", u.continue(u.hasMatchingTag("Action", "Go")), function() log("spy") end)
        Handlers.add("Spy2", u.continue({Action = "Go"}), function() log("spy2") end)
        Handlers.add("Go", "Go", function() log("go") end)
        deliver(M{Action = "Go"})
        deliver(M{Action = "Stop"})
        """
    )
    assert lua("return logged()") == "spy,spy2,go,inbox:Stop"
    got = lua(
        """
        local c = Handlers.utils.continue
        return c(function() return -1 end)({}), c(function() return 0 end)({}),
               c(function() return "skip" end)({}), c(function() return nil end)({})
        """
    )
    assert got == ("continue", 0, "skip", None)
