"""`loop-context`: the match runs once per iteration of a loop, or on a schedule.

Lexically: inside the body of any `for` (a `select` in a `for` included), crossing only func
literals that run per iteration. Interprocedurally (within the package): inside a function that
is called from such a loop, from a function that is itself periodic, or that is handed to a
scheduler such as `time.AfterFunc` (patterns in YAML, `$F` is the scheduled function).

Exemptions, all optional and evaluated in the iteration's scope (the loop body, or the body of
the periodically called function): the result is released (`released-by`), a release pattern
occurs (`release-patterns`, with the match's metavariables), a context passed to the call is
cancelled every iteration (`per-iteration-cancel`), a `sync.Once` guards the call
(`once-guard`), or the result is drained until closed (`drained`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import tree_sitter

from linter.analysis.callgraph import (
    CALLGRAPH,
    LOOP_KINDS,
    CallGraph,
    declares_interface,
    lexical_loop,
    literal_runs_per_iteration,
    loop_description,
    operand_type,
)
from linter.analysis.flow import callee_text, method_calls, on_error_path, use_of, within
from linter.analysis.framework import Pass, package_work
from linter.analysis.functions import FUNCTIONS, PACKAGE_DECLS, FileFunctions, FuncInfo, PackageDecls
from linter.checks.base import RULE_LIST, STRING_LIST, Check, CheckConfigError, Verdict
from linter.fix.facts import TIMER_LOOP, TimerLoop
from linter.lazyregex import LazyRegex
from linter.parsing import SourceFile
from linter.patterns import CandidateIndex, Env
from linter.prefilter import may_match

Node = tree_sitter.Node


class _RuleShape:
    """Just enough of a Rule for `prefilter.may_match`: a pattern tree, no checks or metadata."""

    def __init__(self, matcher: Any) -> None:
        self.matcher = matcher
        self.metadata: dict[str, Any] = {}
        self.checks: list[Any] = []
        self.prefilter_cache: Any = None


@dataclass
class LoopContext:
    description: str
    scope: Node  # the code that runs once per iteration
    file: SourceFile
    lexical: bool = True  # the loop is in the same function (returning leaves it)
    loop: Node | None = None  # that loop (a for_statement), when the repetition is lexical


def _declared_function(fns: FileFunctions, node: Node) -> FuncInfo | None:
    """The named function whose every call runs `node` (None if a stored func literal intervenes)."""
    for n in fns.file.ancestors(node):
        if n.type in ("function_declaration", "method_declaration"):
            return fns.info(n)
        if n.type == "func_literal" and not literal_runs_per_iteration(n, fns.file):
            return None
    return None


class LoopContextCheck(Check):
    name = "loop-context"
    provides = ("LOOP",)
    records = (TIMER_LOOP,)  # the lexical loop, for the hoist-timer fix
    schema = {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "interprocedural": {"type": "boolean"},
            "max-depth": {"type": "integer", "minimum": 0, "maximum": 10},
            "periodic-calls": RULE_LIST,
            "one-shot-calls": RULE_LIST,
            "rare-event-sources": RULE_LIST,
            "released-by": STRING_LIST,
            "unsubscribed-by": STRING_LIST,
            "release-patterns": RULE_LIST,
            "per-iteration-cancel": {"type": "boolean"},
            "cancel-constructors": STRING_LIST,
            "once-guard": {"type": "boolean"},
            "drained": {"type": "boolean"},
            "loops": {"type": "array", "items": {"enum": list(LOOP_KINDS)}, "minItems": 1},
            "caller-loops": {"type": "array", "items": {"enum": list(LOOP_KINDS)}, "minItems": 1},
            "returned": {"type": "boolean"},
            "stored": {"type": "boolean"},
            "wait-only": {"type": "boolean"},
            "per-request": {"type": "boolean"},
            "per-request-callers": {"type": "boolean"},
            "error-only-blocks": {"type": "boolean"},
            "short-durations": {
                "type": "object",
                "additionalProperties": False,
                "required": ["duration", "regex"],
                "properties": {"duration": {"type": "string"}, "regex": {"type": "string"}},
            },
            "request-params": STRING_LIST,
            "skip-own-api": {"type": "boolean"},
            "retry-until-success": {"type": "boolean"},
        },
    }

    def __init__(self, params: dict[str, Any], metavars: set[str], utils: dict[str, Any]) -> None:
        super().__init__(params, metavars, utils)
        self.interprocedural = params.get("interprocedural", True)
        self.max_depth = params.get("max-depth", 2)
        self.periodic_calls = self.rules("periodic-calls", [])
        # schedulers that run $F once: periodic only when $F schedules itself again (re-arms)
        self.one_shot_calls = self.rules("one-shot-calls", ["time.AfterFunc($_, $F)"])
        # `signal.Notify($CH, ...)`: a loop that turns only on receives from $CH reacts to rare
        # operator events (a signal), not to traffic
        self.rare_sources = self.rules("rare-event-sources", [])
        self.released_by = set(params.get("released-by", []))
        # methods of the watching object that end one subscription given its key or listener
        # (`defer s.workloads.Unsubscribe(ip, port, listener)` after `s.workloads.Subscribe(...)`)
        self.unsubscribed_by = set(params.get("unsubscribed-by", []))
        self.release_patterns = self.rules("release-patterns")
        self.per_iteration_cancel = params.get("per-iteration-cancel", False)
        self.cancel_ctors = self.regexes("cancel-constructors", [r"^context\.With(Cancel|Timeout|Deadline)\w*$"])
        self.once_guard = params.get("once-guard", False)
        self.drained = params.get("drained", False)
        self.kinds = frozenset(params.get("loops", LOOP_KINDS))
        # loops that count when reached through the call graph (a caller's loop around the call)
        self.caller_kinds = frozenset(params.get("caller-loops", params.get("loops", LOOP_KINDS)))
        self.returned = params.get("returned", False)
        self.stored = params.get("stored", False)
        self.wait_only = params.get("wait-only", False)
        self.skip_own_api = params.get("skip-own-api", False)
        self.retry = params.get("retry-until-success", False)
        # a handler runs once per request: a watch it starts on a context that outlives the
        # request (context.Background(), the server's) is one more parked goroutine per request
        self.per_request = params.get("per-request", False)
        # also a function (transitively) called by a request handler runs once per request
        self.per_request_callers = params.get("per-request-callers", False)
        # a call whose only result is an error (`err := sse.Subscribe(ctx, fn)`) blocks until
        # the subscription ends: there is no handle to leak
        self.error_only = params.get("error-only-blocks", False)
        self._shapes: list[tuple[Any, bool, _RuleShape]] | None = None
        # `time.After(sendEventTime)` with `const sendEventTime = 10 * time.Millisecond`: the
        # duration's text, or the package constant it names, matches `regex`: exempt
        short = params.get("short-durations")
        self.short_var = self.metavar_in(short, "duration") if short else None
        self.short_rx = LazyRegex(short["regex"]) if short else None
        self._gate: re.Pattern[bytes] | bool | None = None
        self.request_params = self.regexes(
            "request-params",
            [r"^\*http\.Request$", r"^\*gin\.Context$", r"^echo\.Context$", r"^\*fiber\.Ctx$", r"_\w+Server$"],
        )

    # -- context -------------------------------------------------------------------------------
    def context(self, node: Node, pass_: Pass) -> LoopContext | None:
        loop = lexical_loop(node, pass_.file, self.kinds)
        if loop is not None:
            if not self._repeats(node, loop, pass_.file, pass_):
                return None
            body = loop.child_by_field_name("body") or loop
            return LoopContext(loop_description(pass_.file, loop), body, pass_.file, loop=loop)
        scheduled = self._in_scheduled_literal(node, pass_)
        if scheduled is not None:
            return scheduled
        per_request = self._per_request(node, pass_) if self.per_request else None
        if per_request is not None:
            return per_request
        if not self.interprocedural:
            return None
        fns: FileFunctions = pass_.result_of(FUNCTIONS)
        fn = _declared_function(fns, node)
        if fn is None:
            return None
        # a handler calling the function makes it per request, unless the call takes a context
        # or stop channel (its lifetime then comes from the caller, which we do not trace)
        requests = self.per_request_callers and not _has_lifetime_arg(pass_.file, node)
        found = self._periodic(fn, pass_, requests)
        if found is None:
            return None
        body = fn.body or fn.node
        return LoopContext(found, body, pass_.file, lexical=False)

    def _repeats(self, node: Node, loop: Node, f: SourceFile, pass_: Pass) -> bool:
        """Does `loop` really run `node` again and again? Not when the loop leaves right after it
        (`s.Shutdown(); os.Exit(0)`), nor when it only turns on a rare event (a signal)."""
        if _leaves_after(f, _statement_of(node), loop):
            return False
        return not self._rare_loop(loop, node, f, pass_)

    def _rare_loop(self, loop: Node, node: Node, f: SourceFile, pass_: Pass) -> bool:
        if not self.rare_sources:
            return False
        outer = pass_.file_pass(f).result_of(FUNCTIONS).outermost(loop)
        scope = outer.node if outer is not None else loop
        channels = set()
        for rule in self.rare_sources:
            for cand in rule.candidates(scope):
                env = rule.match(cand, {}, pass_.file_pass(f))
                ch = env.get("CH") if env else None
                if isinstance(ch, Node):
                    channels.add(f.text(ch))
        if not channels:
            return False
        fed = _loop_channels(f, loop, node)
        return bool(fed) and fed <= channels

    def _handles_requests(self, fn: FuncInfo) -> bool:
        return any(any(rx.search(t) for rx in self.request_params) for _, t in fn.params)

    def _per_request(self, node: Node, pass_: Pass) -> LoopContext | None:
        """A request handler (a `*http.Request`, gin/echo/fiber context or gRPC stream parameter;
        also a handler literal registered inside another function) that starts the watch on a
        context not derived from the request (an argument that is no context, such as a NATS
        subject built from the request, is no lifetime)."""
        f = pass_.file
        fns: FileFunctions = pass_.result_of(FUNCTIONS)
        handler = fns.enclosing(node)
        while handler is not None and not self._handles_requests(handler):
            handler = fns.enclosing(handler.node)
        if handler is None or handler.body is None:
            return None
        handles = [n for n, t in handler.params if any(rx.search(t) for rx in self.request_params)]
        scoped = set(handles) | {n for n, t in handler.params if t == "context.Context"}
        if node.type == "call_expression":
            args = node.child_by_field_name("arguments")
            if args is None:
                return None
            lifetimes = [a for a in args.named_children if _LIFETIME_ARG.search(f.text(a))]
            facts = fns.facts(fns.outermost(node) or handler)
            if any(_derived_from(f, facts, a, scoped, 3) for a in lifetimes):
                return None  # the watch ends with the request
        # (a `go` statement has no lifetime to derive: what would end it is its own business)
        name = handler.display if handler.name else "a request handler"
        return LoopContext(f"{name} handles a request and runs once per request", handler.body, f, lexical=False)

    def _in_scheduled_literal(self, node: Node, pass_: Pass) -> LoopContext | None:
        """Inside `wait.Until(func() {...}, d, stop)` / `backoff.Retry(func() error {...}, b)`:
        the literal is run again and again by the library call (its `periodic-calls`)."""
        f = pass_.file
        for n in f.ancestors(node):
            if n.type in ("function_declaration", "method_declaration"):
                break
            args = f.parent(n) if n.type == "func_literal" else None
            if args is not None and args.type == "argument_list":
                call = f.parent(args)
                if call is not None:
                    for rule in self.periodic_calls:
                        env = rule.match(call, {}, pass_)
                        target = env.get("F") if env else None
                        if isinstance(target, Node) and target.id == n.id:
                            what = callee_text(f, call)
                            return LoopContext(
                                f"the function {what} at line {call.start_point[0] + 1} runs repeatedly",
                                n.child_by_field_name("body") or n,
                                f,
                                lexical=False,
                            )
        return None

    def _periodic(self, fn: FuncInfo, pass_: Pass, requests: bool = False) -> str | None:
        """Breadth-first up the call graph: the shortest chain of callers from `fn` to a loop
        (or a scheduler) within max-depth calls. Only whole answers are memoized, so the result
        never depends on which function was asked about first."""
        key = ("periodic", id(self), fn.node.id, requests)
        memo = pass_.package.memo
        if key in memo:
            return memo[key]  # type: ignore[no-any-return]
        graph: CallGraph = pass_.result_of(CALLGRAPH)
        frontier: list[tuple[FuncInfo, Pass, str]] = [(fn, pass_, "")]
        seen = {fn.node.id}
        result = None
        for _depth in range(self.max_depth + 1):
            following: list[tuple[FuncInfo, Pass, str]] = []
            for current, cur_pass, via in frontier:
                if _once_flagged(current):
                    continue  # `if s.started { return }; s.started = true`: runs once, however often called
                if requests and current is not fn and self._handles_requests(current):
                    result = f"{fn.display} is called{via.rsplit(', which is called', 1)[0]}, once per request"
                    break
                for site in graph.sites(current):
                    if _exits_after(site.file, _statement_of(site.call)):
                        continue  # `s.Shutdown(); os.Exit(0)`: the process ends after this call
                    loop = lexical_loop(site.call, site.file, self.caller_kinds)
                    if loop is not None and not self._repeats(site.call, loop, site.file, cur_pass):
                        continue
                    if loop is not None:
                        where = _where(pass_.file, site.file, site.call)
                        result = f"{fn.display} is called{via} every iteration of {loop_description(site.file, loop)}{where}"
                        break
                    caller_pass = cur_pass.file_pass(site.file)
                    caller = _declared_function(caller_pass.result_of(FUNCTIONS), site.call)
                    if caller is not None and caller.node.id not in seen:
                        seen.add(caller.node.id)
                        following.append((caller, caller_pass, f"{via} by {caller.display}, which is called"))
                if result is None and current.name:
                    scheduled = self._scheduled(current, cur_pass)
                    if scheduled is not None:
                        result = (
                            scheduled if current is fn else f"{fn.display} is called{via.rsplit(', which is called', 1)[0]}; {scheduled}"
                        )
                if result is not None:
                    break
            if result is not None or not following:
                break
            frontier = following
        memo[key] = result
        return result

    def _scheduled(self, fn: FuncInfo, pass_: Pass) -> str | None:
        """Is `fn` handed to a scheduler (`time.AfterFunc(d, fn)`, or a closure calling it)?"""
        graph: CallGraph = pass_.result_of(CALLGRAPH)
        for f, call, target, one_shot in self._schedules(pass_):
            direct = _names_function(pass_.file_pass(f), target, fn)
            wrapped = target.type == "func_literal" and any(s.file is f and within(s.call, target) for s in graph.sites(fn))
            if not (direct or wrapped):
                continue
            if one_shot and not _rearms(fn, f, call):
                continue  # `time.AfterFunc(d, f)` runs f once, unless f schedules itself again
            if direct or wrapped:
                what = callee_text(f, call) if call.type == "call_expression" else "a timer"
                return f"{fn.display} is scheduled by {what} at line {call.start_point[0] + 1}{_where(pass_.file, f, call)}"
        return None

    def _schedules(self, pass_: Pass) -> list[tuple[SourceFile, Node, Node, bool]]:
        """Every (file, scheduling call, scheduled function, one-shot?) of the package, found once."""
        key = ("schedules", id(self))
        memo = pass_.package.memo
        if key not in memo:
            found: list[tuple[SourceFile, Node, Node, bool]] = []
            schedulers = [(r, False) for r in self.periodic_calls] + [(r, True) for r in self.one_shot_calls]
            if not schedulers:
                memo[key] = found
                return found
            with package_work("scheduling calls of the package"):
                keys = frozenset(k for r, _ in schedulers for k in r.anchor_keys())
                shapes = self._scheduler_shapes(schedulers)
                gate = self._scheduler_gate(shapes)
                for path, data in pass_.package.entries():
                    if gate is not None and gate.search(data) is None:
                        continue  # none of the schedulers' names in the file at all
                    present = [(rule, one_shot) for rule, one_shot, shape in shapes if may_match(shape, data)]  # type: ignore[arg-type]
                    if not present:
                        continue  # `retry.Do(` must appear as a call, not the word Do anywhere
                    f = pass_.package.parsed(path, data)
                    fp = pass_.file_pass(f)
                    index = CandidateIndex(f.root, keys)
                    for rule, one_shot in present:
                        for cand in rule.candidates(f.root, index):
                            env = rule.match(cand, {}, fp)
                            target = env.get("F") if env else None
                            if isinstance(target, Node):
                                found.append((f, cand, target, one_shot))
            memo[key] = found
        return memo[key]  # type: ignore[no-any-return]

    def _scheduler_shapes(self, schedulers: list[tuple[Any, bool]]) -> list[tuple[Any, bool, _RuleShape]]:
        """Each scheduler pattern with the file prefilter the engine derives for rules (its names
        in call shape: `backoff.Retry(` as one chain), built once per check."""
        if self._shapes is None:
            self._shapes = [(rule, one_shot, _RuleShape(rule)) for rule, one_shot in schedulers]
        return self._shapes

    def _scheduler_gate(self, shapes: list[tuple[Any, bool, _RuleShape]]) -> re.Pattern[bytes] | None:
        """One scan for all schedulers: some name each of them needs (None: some need nothing)."""
        if self._gate is None:
            from linter.prefilter import prefilter

            needs: set[bytes] = set()
            for _, _, shape in shapes:
                sets = prefilter(shape)[0]  # type: ignore[arg-type]
                if not sets or not all(sets):
                    self._gate = False
                    return None
                # per alternative, its call shape (`.Until(`) when it has one: far rarer than the word
                needs.update(next((t for t in alt if t.endswith(b"(")), max(alt, key=len)) for alt in sets)
            self._gate = re.compile(b"|".join(re.escape(n) for n in sorted(needs, key=lambda n: (-len(n), n))))
        return self._gate if isinstance(self._gate, re.Pattern) else None

    # -- exemptions ----------------------------------------------------------------------------
    def exempt(self, node: Node, env: Env, ctx: LoopContext, pass_: Pass) -> bool:
        f = pass_.file
        fns: FileFunctions = pass_.result_of(FUNCTIONS)
        scope_fn = fns.enclosing(node)
        if scope_fn is None:
            return False
        facts = fns.facts(fns.outermost(node) or scope_fn)
        use = use_of(node)
        if self.returned and use.kind == "return":
            return True  # the caller owns the result
        if self.stored and use.kind in ("store", "composite"):
            return True  # kept in a field or struct and reused, not one per iteration
        if use.kind == "store" and self.released_by and _released_before(f, node, self.released_by, scope_fn):
            return True  # `if s.sub != nil { s.sub.Close() }; s.sub = c.Subscribe(...)`: one at a time
        # Leaving the function ends a loop only when the loop is in this function; called
        # from a loop elsewhere, returning just goes round the caller's loop again.
        # ... and only when the loop itself waits: not across a goroutine started per iteration.
        waits = ctx.lexical and self.wait_only and not _in_literal(node, ctx.scope)
        if waits and _select_waits_for(f, node):
            return True
        # (a goroutine started per iteration of this very loop keeps its timer while it waits)
        if self.wait_only and not (ctx.lexical and _in_literal(node, ctx.scope)) and _select_waits_for(f, node, shutdown_only=True):
            return True  # `select { case <-time.After(d): case <-quit: return }`: a sleep, the timer fires
        if waits and _returns_after(_statement_of(node)):
            return True  # runs once, on the way out (a shutdown path)
        result_var = f.text(use.node) if use.kind == "var" and use.node is not None else None
        if self.wait_only and result_var is not None:
            receives = [o for o in facts.uses(result_var) if within(o, ctx.scope) and o.start_byte > node.end_byte]
            if waits and receives and all(_select_waits_for(f, o) for o in receives):
                return True
            if _rearmed_in_own_case(f, node, result_var):
                return True  # `case <-lease: ... lease = time.After(d)`: a new timer only after the old fired
        if result_var is not None and (self.stored or self.returned):
            for o in facts.uses(result_var):
                if o.start_byte > node.end_byte and use_of(o).kind in ("return", "store", "composite", "send"):
                    return True  # handed to the caller or kept: not one per iteration here
                if o.start_byte > node.end_byte and _wrapped_and_kept(f, facts, o):
                    return True  # `b = newBuffered(sub); s.subs[k] = b`: kept inside a handle that is stored
        if self.error_only and _error_only(f, use, fns.enclosing(node)):
            return True  # `err := c.Subscribe(ctx, fn)`: a blocking call that returns when done
        if self.released_by and self._receiver_released(node, pass_, fns):
            return True  # `NewGNMIClient(conn).Subscribe(ctx)` with `defer conn.Close()`
        if self.retry and _leaves_loop_on_success(f, node, ctx.scope):
            return True
        if result_var and (self.stored or self.returned) and _kept_past_iteration(f, facts, result_var, node, ctx.scope):
            return True  # `respTimer = timer.C` into a variable of the enclosing code: reused, not dropped
        if result_var and self.released_by:
            # a `defer t.Stop()` in the loop body runs when the function returns, not per iteration
            occ = [o for o in facts.uses(result_var) if within(o, ctx.scope) and not (ctx.lexical and _deferred_past(o, ctx.scope))]
            if any(True for _ in method_calls(f, occ, self.released_by)):
                return True
            if any(self._released_by_callee(o, pass_) for o in occ):
                return True  # `c.watch(w)` where watch does `defer w.Stop()`
            if any(_called_as_function(o) for o in occ):
                return True  # `unsubscribe := b.Subscribe(ch); defer unsubscribe()`: the result is its cancel
        if self.unsubscribed_by and self._unsubscribed_on_receiver(node, ctx, pass_):
            return True  # `s.w.Subscribe(key, l); defer s.w.Unsubscribe(key, l)`
        returns_cancel = self.drained and self._cancelled_on_return(node, pass_)
        # a `return` from the reading loop leaves the repeating loop too when both are in this
        # function: the abandoned watch is not repeated (one per call, not one per iteration)
        returns_end = ctx.lexical and not _in_literal(node, ctx.scope)
        if self.drained and _ranged_over(node) and not _leaves_reading_early(f, node, returns_cancel or returns_end):
            return True  # `for resp := range cli.Watch(ctx, k)`: read until the watch closes
        if result_var and self.drained:
            for o in facts.uses(result_var):
                if within(o, ctx.scope) and (_ranged_over(o) or _received_until_closed(o)) and not _in_literal(o, ctx.scope):
                    if not _leaves_reading_early(f, o, returns_cancel or returns_end):
                        return True
        if self.drained and ctx.lexical and _restarted_after_end(f, node, ctx.scope, facts):
            return True  # re-watched only when a one-shot timer fires, re-armed after the watch ended
        for rule in self.release_patterns:
            for cand in rule.candidates(ctx.scope):
                if rule.match(cand, env, pass_) is not None:
                    return True
        if self.once_guard and _once_guarded(f, node, ctx.scope):
            return True
        if self.per_iteration_cancel and self._cancelled(node, ctx, pass_, facts):
            return True
        return False

    def _cancelled_on_return(self, node: Node, pass_: Pass) -> bool:
        """The watch's context comes from `context.WithCancel(...)` whose cancel is deferred in
        this function: returning from it (even early) ends the watch."""
        f = pass_.file
        fns: FileFunctions = pass_.result_of(FUNCTIONS)
        fn = fns.enclosing(node)
        args = node.child_by_field_name("arguments") if node.type == "call_expression" else None
        if fn is None or args is None:
            return False
        facts = fns.facts(fn)
        for arg in args.named_children:
            if arg.type != "identifier":
                continue
            for occ in facts.uses(f.text(arg)):
                decl = occ.parent.parent if occ.parent is not None else None
                if decl is None or decl.type not in ("short_var_declaration", "assignment_statement"):
                    continue
                left, right = decl.child_by_field_name("left"), decl.child_by_field_name("right")
                if left is None or right is None or len(left.named_children) < 2 or not right.named_children:
                    continue
                call = right.named_children[0]
                if left.named_children[0].id != occ.id or call.type != "call_expression":
                    continue
                if not any(r.search(callee_text(f, call)) for r in self.cancel_ctors):
                    continue
                cancel = f.text(left.named_children[1])
                if any(_deferred(u) for u in facts.uses(cancel)):
                    return True
        return False

    def _cancelled(self, node: Node, ctx: LoopContext, pass_: Pass, facts: Any) -> bool:
        f = pass_.file
        args = node.child_by_field_name("arguments") if node.type == "call_expression" else None
        if args is None:
            return False
        for arg in args.named_children:
            if arg.type != "identifier":
                continue
            for occ in facts.uses(f.text(arg)):
                if not within(occ, ctx.scope):
                    continue
                decl = occ.parent.parent if occ.parent is not None else None
                if decl is None or decl.type not in ("short_var_declaration", "assignment_statement"):
                    continue
                left, right = decl.child_by_field_name("left"), decl.child_by_field_name("right")
                if left is None or right is None or not right.named_children or len(left.named_children) < 2:
                    continue
                if left.named_children[0].id != occ.id:
                    continue
                call = right.named_children[0]
                if call.type != "call_expression" or not any(r.search(callee_text(f, call)) for r in self.cancel_ctors):
                    continue
                cancel = f.text(left.named_children[1])
                if cancel == "_":
                    continue
                for use in facts.uses(cancel):
                    if within(use, ctx.scope) and use.start_byte > occ.start_byte and _invoked_or_handed(use):
                        if _deferred(use) or not _returns_between(node, use, ctx.scope):
                            return True  # deferred, or called with no way out before it
        return False

    def _own_api(self, node: Node, pass_: Pass) -> bool:
        """`c.Subscribe(...)` inside a method of the type that declares Subscribe: this package
        implements the API (e.g. resubscribing after a reconnect), it does not leak it."""
        fn_node = node.child_by_field_name("function") if node.type == "call_expression" else None
        if fn_node is None or fn_node.type != "selector_expression":
            return False
        operand, field = fn_node.child_by_field_name("operand"), fn_node.child_by_field_name("field")
        if operand is None or field is None:
            return False
        fns: FileFunctions = pass_.result_of(FUNCTIONS)
        outer = fns.outermost(node)
        if outer is None or outer.receiver != pass_.file.text(operand):
            return False
        decls: PackageDecls = pass_.result_of(PACKAGE_DECLS)
        return any(m.receiver_type == outer.receiver_type for m in decls.methods_named(pass_.file.text(field)))

    def _receiver_released(self, node: Node, pass_: Pass, fns: FileFunctions) -> bool:
        """The call's receiver is built on a local value this function releases (deferred):
        the subscription ends with the connection it runs on."""
        fn_node = node.child_by_field_name("function") if node.type == "call_expression" else None
        operand = fn_node.child_by_field_name("operand") if fn_node is not None and fn_node.type == "selector_expression" else None
        outer = fns.outermost(node)
        if operand is None or outer is None:
            return False
        f = pass_.file
        facts = fns.facts(outer)
        for ident in set(re.findall(r"(?<![\w.])([A-Za-z_]\w*)\b", f.text(operand))):
            if not facts.declares(ident) and outer.param_type(ident) is None:
                continue
            for o in facts.uses(ident):
                sel = o.parent
                field = sel.child_by_field_name("field") if sel is not None and sel.type == "selector_expression" else None
                if field is not None and f.text(field) in self.released_by and _deferred(o):
                    return True
        return False

    def _unsubscribed_on_receiver(self, node: Node, ctx: LoopContext, pass_: Pass) -> bool:
        """After the watch, the same receiver's `Unsubscribe`-like method ends it, in the code that
        runs once per iteration (or per request): deferred, or inline outside an error branch."""
        fn_node = node.child_by_field_name("function") if node.type == "call_expression" else None
        operand = fn_node.child_by_field_name("operand") if fn_node is not None and fn_node.type == "selector_expression" else None
        if operand is None:
            return False
        f = pass_.file
        receiver = re.sub(r"\s+", "", f.text(operand))
        if not receiver:
            return False
        methods = "|".join(re.escape(m) for m in sorted(self.unsubscribed_by))
        text = f.data[node.end_byte : ctx.scope.end_byte].decode("utf-8", "replace")
        pattern = re.compile(rf"(?<![\w.]){re.escape(receiver)}\s*\.\s*(?:{methods})\s*\(")
        for m in pattern.finditer(text):
            start = node.end_byte + len(text[: m.start()].encode("utf-8"))
            hit = ctx.scope.descendant_for_byte_range(start, start + 1)
            occ = next((n for n in f.ancestors(hit) if n.type == "call_expression"), None) if hit is not None else None
            if occ is None or not within(occ, ctx.scope):
                continue
            if ctx.lexical and _deferred_past(occ, ctx.scope):
                continue  # `defer w.Unsubscribe(k)` in a loop body runs when the function returns
            if _deferred(occ) or not on_error_path(f, occ, ctx.scope):
                return True
        return False

    def _released_by_callee(self, occ: Node, pass_: Pass) -> bool:
        """`occ` passed to a function or method of this package whose parameter it becomes is
        released there (`func (c *cache) watch(w Watcher) { defer w.Stop() ... }`)."""
        use = use_of(occ)
        if use.kind != "arg" or use.node is None:
            return False
        fn_node = use.node.child_by_field_name("function")
        if fn_node is None:
            return False
        decls: PackageDecls = pass_.result_of(PACKAGE_DECLS)
        if fn_node.type == "identifier":
            targets = decls.functions_named(pass_.file.text(fn_node))
        elif fn_node.type == "selector_expression" and fn_node.child_by_field_name("field") is not None:
            targets = decls.methods_named(pass_.file.text(fn_node.child_by_field_name("field")))  # type: ignore[arg-type]
        else:
            return False
        releases = "|".join(re.escape(r) for r in sorted(self.released_by))
        for t in targets:
            if use.index >= len(t.params) or t.body is None:
                continue
            pname = t.params[use.index][0]
            body = t.file.data[t.body.start_byte : t.body.end_byte].decode("utf-8", "replace")
            if re.search(rf"(?<![\w.]){re.escape(pname)}\.({releases})\(", body):
                return True
            name = re.escape(pname)
            in_goroutine = use.node.parent is not None and use.node.parent.type == "go_statement"
            if self.drained and not in_goroutine and re.search(rf"\brange\s+{name}\b|,\s*ok\s*:?=\s*<-\s*{name}\b", body):
                return True  # the callee reads the watch until it is closed
            got = re.search(rf"(\w+)\s*:?=\s*<-\s*{name}\b", body) if self.drained and not in_goroutine else None
            if got is not None and re.search(rf"\b{re.escape(got.group(1))}\s*==\s*nil\b", body):
                return True  # `pairs := <-ch; if pairs == nil { return }`: read until closed
        return False

    def _local_registration(self, node: Node, pass_: Pass) -> bool:
        """`s.router.Subscribe(sb)` where every method of that name declared in this package starts
        no goroutine: a registration in a map of this package's own, not a watch that parks one."""
        fn_node = node.child_by_field_name("function") if node.type == "call_expression" else None
        field = fn_node.child_by_field_name("field") if fn_node is not None and fn_node.type == "selector_expression" else None
        if fn_node is None or field is None:
            return False
        operand = fn_node.child_by_field_name("operand")
        owner = operand_type(pass_, pass_.result_of(FUNCTIONS), operand) if operand is not None else None
        if owner is None:
            return False  # the code does not say which type: not known to be local
        decls: PackageDecls = pass_.result_of(PACKAGE_DECLS)
        methods = decls.methods_named(pass_.file.text(field))
        if declares_interface(pass_.package, owner):
            # an interface of ours: our implementations of that method (same number of arguments)
            args = node.child_by_field_name("arguments")
            n_args = len(args.named_children) if args is not None else 0
            methods = [m for m in methods if len(m.params) == n_args]
        else:
            methods = [m for m in methods if m.receiver_type == owner]
        if not methods:
            return False
        for m in methods:
            body = m.body or m.node
            if _STARTS_GOROUTINE.search(m.file.data[body.start_byte : body.end_byte]):
                return False
        return True

    def metavar_in(self, obj: dict[str, str], key: str) -> str:
        name = str(obj[key]).lstrip("$")
        if name not in self.metavars:
            raise CheckConfigError(f"short-durations.{key}: ${name} is not bound by the rule's patterns", ["short-durations", key])
        return name

    def _short_duration(self, env: Env, pass_: Pass) -> bool:
        d = env.get(self.short_var) if self.short_var else None
        if not isinstance(d, Node) or self.short_rx is None:
            return False
        text = pass_.file.text(d).strip()
        if self.short_rx.search(text):
            return True
        if d.type != "identifier":
            return False
        key = ("const-value", text)
        memo = pass_.package.memo
        if key not in memo:
            rx = re.compile(rb"(?m)^\s*(?:const\s+)?" + re.escape(text.encode()) + rb"(?:\s+time\.Duration)?\s*=\s*([^\n/]+)")
            value = None
            for data in pass_.package.sources():
                m = rx.search(data)
                if m is not None:
                    value = m.group(1).decode("utf-8", "replace").strip()
                    break
            memo[key] = value
        value = memo[key]
        return value is not None and self.short_rx.search(value) is not None

    def run(self, node: Node, env: Env, pass_: Pass) -> Verdict | None:
        if self.short_var and self._short_duration(env, pass_):
            return None
        if self.skip_own_api and (self._own_api(node, pass_) or self._local_registration(node, pass_)):
            return None
        ctx = self.context(node, pass_)
        if ctx is None or self.exempt(node, env, ctx, pass_):
            return None
        facts = {TIMER_LOOP: TimerLoop(ctx.loop)} if ctx.loop is not None else {}
        return Verdict(vars={"LOOP": ctx.description}, facts=facts)


def _where(current: SourceFile, f: SourceFile, node: Node) -> str:
    import os

    if f is current:
        return ""
    return f" in {os.path.basename(f.path)}"


def _released_before(f: SourceFile, node: Node, released_by: set[str], fn: FuncInfo) -> bool:
    """`node` is assigned to `target` (a field), and earlier in the function `target.Close()`
    (a release method) runs: the previous one is released before it is replaced."""
    stmt = node.parent
    while stmt is not None and stmt.type not in ("assignment_statement", "block", "function_declaration"):
        stmt = stmt.parent
    if stmt is None or stmt.type != "assignment_statement":
        return False
    left = stmt.child_by_field_name("left")
    if left is None or len(left.named_children) != 1:
        return False
    target = f.text(left.named_children[0])
    body = fn.body or fn.node
    before = f.data[body.start_byte : stmt.start_byte].decode("utf-8", "replace")
    releases = "|".join(re.escape(r) for r in sorted(released_by))
    return re.search(rf"(?<![\w.]){re.escape(target)}\.({releases})\(", before) is not None


def _error_only(f: SourceFile, use: Any, fn: FuncInfo | None) -> bool:
    """The call's value is used only as an error: `err := x.Subscribe(...)`, `if err = ...`, or
    returned from a function whose only result is an error."""
    if use.kind == "var" and use.node is not None:
        return re.match(r"(?i)^(err\w*|\w*err(or)?)$", f.text(use.node)) is not None  # err, subErr
    if use.kind == "return" and fn is not None:
        return [t for _, t in fn.results] == ["error"]
    return False


def _kept_past_iteration(f: SourceFile, facts: Any, var: str, node: Node, scope: Node) -> bool:
    """The value (or its `.C`) is assigned to a variable declared outside the loop body, which
    later iterations use: the timer is kept, like a field, not abandoned."""
    for occ in facts.uses(var):
        if occ.start_byte <= node.end_byte or not within(occ, scope):
            continue
        expr = occ.parent if occ.parent is not None and occ.parent.type == "selector_expression" else occ
        p = expr.parent
        if p is None or p.type != "expression_list" or p.parent is None or p.parent.type != "assignment_statement":
            continue
        stmt = p.parent
        right, left = stmt.child_by_field_name("right"), stmt.child_by_field_name("left")
        if right is None or left is None or right.id != p.id:
            continue
        for target in left.named_children:
            if target.type != "identifier":
                continue
            decls = [o for o in facts.uses(f.text(target)) if _is_declaration_site(o)]
            if decls and all(not within(d, scope) for d in decls):
                return True
    return False


def _wrapped_and_kept(f: SourceFile, facts: Any, occ: Node) -> bool:
    """`occ` is an argument of a call (a wrapper's constructor) whose result is returned, stored,
    or assigned to a variable that is then returned or stored: the subscription lives on inside
    a kept handle instead of being dropped."""
    use = use_of(occ)
    if use.kind != "arg" or use.node is None or use.node.type != "call_expression":
        return False
    wrapped = use_of(use.node)
    if wrapped.kind in ("return", "store", "composite", "send"):
        return True
    if wrapped.kind != "var" or wrapped.node is None:
        return False
    return any(
        o.start_byte > use.node.end_byte and use_of(o).kind in ("return", "store", "composite", "send")
        for o in facts.uses(f.text(wrapped.node))
    )


def _restarted_after_end(f: SourceFile, node: Node, scope: Node, facts: Any) -> bool:
    """`case <-failTimer.C: evs, errs, err = w.Watch(...)` where `failTimer` is a one-shot
    `time.NewTimer` that the loop re-arms only when the watch failed to start (`if err != nil`)
    or in the case that receives the watch's own error/event channel: a new watch starts only
    after the previous one ended."""
    stmt = _statement_of(node)
    if stmt.type != "assignment_statement":
        return False
    left = stmt.child_by_field_name("left")
    results = {f.text(t) for t in (left.named_children if left is not None else []) if t.type == "identifier"} - {"_"}
    case = f.parent(stmt)
    if case is not None and case.type == "statement_list":
        case = f.parent(case)
    if case is None or case.type != "communication_case" or not results:
        return False
    comm = case.child_by_field_name("communication")
    m = re.fullmatch(r"<-\s*([A-Za-z_]\w*)\.C", f.text(comm).strip()) if comm is not None else None
    if m is None:
        return False
    timer = m.group(1)
    decls = [o for o in facts.uses(timer) if _is_declaration_site(o)]
    if not decls or not all(re.search(r"time\.NewTimer\(", f.text(_statement_of(d))) for d in decls):
        return False
    select = f.parent(case)
    watched = set()  # the select's cases that receive one of the watch's results
    for c in select.named_children if select is not None else []:
        cc = c.child_by_field_name("communication") if c.type == "communication_case" else None
        if cc is not None and any(re.search(rf"<-\s*{re.escape(r)}\b", f.text(cc)) for r in results):
            watched.add(c.id)
    if not watched:
        return False
    resets = [o for o in facts.uses(timer) if within(o, scope) and re.match(r"\w+\.Reset\b", f.text(o.parent) if o.parent else "")]
    for r in resets:
        at: Node | None = r
        while at is not None and at.id != scope.id and at.type != "communication_case":
            at = f.parent(at)
        if at is not None and at.id in watched:
            continue
        if at is not None and at.id == case.id and on_error_path(f, r, case):
            continue
        return False
    return True


def _is_declaration_site(occ: Node) -> bool:
    p = occ.parent
    if p is None:
        return False
    if p.type in ("var_spec", "parameter_declaration"):
        return True
    if p.type != "expression_list" or p.parent is None or p.parent.type != "short_var_declaration":
        return False
    left = p.parent.child_by_field_name("left")
    return left is not None and left.id == p.id


def _deferred_past(use: Node, scope: Node) -> bool:
    """A `defer` of `use` that runs only when the function around the loop returns (not in a
    func literal invoked per iteration inside `scope`)."""
    if not _deferred(use):
        return False
    n = use.parent
    while n is not None and n.id != scope.id:
        if n.type == "func_literal":
            return False  # the closure returns every iteration, and its defers run then
        n = n.parent
    return True


def _called_as_function(occ: Node) -> bool:
    """`occ()`: the variable holds a function and is called (`defer unsubscribe()`, `go stop()`)."""
    p = occ.parent
    if p is None or p.type != "call_expression":
        return False
    fn = p.child_by_field_name("function")
    return fn is not None and fn.id == occ.id


def _deferred(use: Node) -> bool:
    n = use.parent
    while n is not None and n.type in (
        "call_expression",
        "selector_expression",
        "argument_list",
        "func_literal",
        "block",
        "statement_list",
        "expression_statement",
    ):
        n = n.parent
        if n is not None and n.type == "defer_statement":
            return True
    return False


def _returns_between(start: Node, end: Node, scope: Node) -> bool:
    """A `return` after `start` and before `end` (textually, in `scope`, outside func literals):
    a path that leaves before the cancel runs."""

    def walk(n: Node) -> bool:
        if n.type == "func_literal":
            return False
        if n.type == "return_statement" and start.end_byte <= n.start_byte < end.start_byte:
            return True
        return any(walk(c) for c in n.named_children if c.end_byte > start.end_byte and c.start_byte < end.start_byte)

    return walk(scope)


_CLOSED_CHECK = re.compile(r"(?i)(\berr\b|err\(\)|\.err\b|cancel|closed|!\s*ok\b|ok\s*==\s*false|done|stop|quit|exit)")


def _leaves_reading_early(f: SourceFile, occ: Node, returning_cancels: bool = False) -> bool:
    """Does the loop that reads the watch channel leave (return/break) other than on the signs
    that the watch ended (an error, a cancelled response, `!ok`)? Then the watch is abandoned
    while its goroutine still runs."""
    loop = occ.parent
    while loop is not None and loop.type not in ("for_statement", "function_declaration", "method_declaration", "func_literal"):
        loop = loop.parent
    if loop is None or loop.type != "for_statement":
        return False
    body = loop.child_by_field_name("body")
    if body is None:
        return False

    def exits(n: Node) -> bool:
        if n.type == "func_literal":
            return False
        if n.type == "return_statement" and returning_cancels:
            return False  # leaving the function runs the deferred cancel: the watch ends
        if n.type == "return_statement" or (n.type == "break_statement" and n.named_child_count == 0 and _breaks_loop(n, loop)):
            guard = n.parent
            while guard is not None and guard.id != loop.id and guard.type not in ("if_statement", "communication_case", "expression_case"):
                guard = guard.parent
            if guard is None or guard.id == loop.id:
                return True
            cond = (
                guard.child_by_field_name("condition") or guard.child_by_field_name("communication") or guard.child_by_field_name("value")
            )
            return cond is None or not _CLOSED_CHECK.search(f.text(cond))
        return any(exits(c) for c in n.named_children)

    return exits(body)


def _breaks_loop(brk: Node, loop: Node) -> bool:
    """A bare `break` leaves `loop` (not an inner select/switch/for)."""
    n = brk.parent
    while n is not None and n.id != loop.id:
        if n.type in ("for_statement", "select_statement", "expression_switch_statement", "type_switch_statement"):
            return False
        n = n.parent
    return True


def _ranged_over(occ: Node) -> bool:
    n = occ.parent
    while n is not None and n.type in ("call_expression", "selector_expression", "argument_list", "parenthesized_expression"):
        n = n.parent
    return n is not None and n.type == "range_clause"


_SHUTDOWN = re.compile(
    r"(?i)(done|stop|quit|shutdown|closing|closed|exit|kill|term|dying|die|dead|finish\w*|halt)\w*(\(\))?$|\.Done\(\)$|\.Err\(\)$"
)


def _statement_of(node: Node) -> Node:
    n = node
    while n.parent is not None and n.parent.type not in ("statement_list", "block", "source_file"):
        n = n.parent
    return n


def _rearmed_in_own_case(f: SourceFile, node: Node, var: str) -> bool:
    n = f.parent(node)  # (f.parent: Node.parent costs the node's depth)
    while n is not None and n.type not in ("communication_case", "func_literal", "function_declaration", "method_declaration"):
        n = f.parent(n)
    if n is None or n.type != "communication_case":
        return False
    comm = n.child_by_field_name("communication")
    return comm is not None and re.search(rf"<-\s*{re.escape(var)}\b", f.text(comm)) is not None


_EXITS = re.compile(r"^(panic|os\.Exit|log\.Fatal\w*|\w+\.Fatal\w*|runtime\.Goexit)\(")


def _select_waits_for(f: SourceFile, node: Node, shutdown_only: bool = False) -> bool:
    """`case <-time.After(d):` in a select whose every other case leaves the function (return,
    goto, a labelled break, panic, Fatal): the loop only comes round again after this timer
    fired, so timers never pile up."""
    recv = node.parent
    if recv is None or recv.type != "unary_expression":
        return False
    case = recv.parent
    while case is not None and case.type in ("receive_statement", "expression_list"):
        case = case.parent
    if case is None or case.type != "communication_case" or case.parent is None or case.parent.type != "select_statement":
        return False
    if not shutdown_only and _returns_after(case.parent):
        return True  # whatever case fires, the code after the select leaves the function
    for other in case.parent.named_children:
        if other.id == case.id or other.type not in ("communication_case", "default_case"):
            continue
        if other.type == "default_case":
            return False
        if _is_shutdown_case(f, other) and not _goes_round_again(other):
            continue  # a shutdown signal fires once; the loop ends on it
        if shutdown_only:
            return False
        stmts = [c for c in other.named_children if c.type == "statement_list"]
        last = stmts[0].named_children[-1] if stmts and stmts[0].named_children else None
        while last is not None and last.type == "block":
            inner = [c for c in last.named_children if c.type == "statement_list"]
            last = inner[0].named_children[-1] if inner and inner[0].named_children else None
        if last is None:
            return False
        if last.type in ("return_statement", "goto_statement"):
            continue
        if last.type == "break_statement" and last.named_child_count > 0:
            continue  # break Label: leaves the labelled loop
        if last.type == "expression_statement" and _EXITS.match(f.text(last)):
            continue
        return False
    return True


_STARTS_GOROUTINE = re.compile(rb"(^|[\s;{])go\s+[\w(]")
_ONCE_GUARD = re.compile(r"\bif\s+([\w.]+)\s*\{[^{}]*?\breturn\b")
_CAS_GUARD = re.compile(r"\bif\s+!\s*[\w.]+\.CompareAndSwap\(\s*false\s*,\s*true\s*\)\s*\{[^{}]*?\breturn\b")


def _once_flagged(fn: FuncInfo) -> bool:
    """A function that returns early on a flag it then sets (`if s.registered { return nil }` ...
    `s.registered = true`, or `if !s.started.CompareAndSwap(false, true) { return }`) does its work
    once, however often it is called."""
    body = fn.body or fn.node
    text = fn.file.data[body.start_byte : body.end_byte].decode("utf-8", "replace")
    if _CAS_GUARD.search(text):
        return True
    for m in _ONCE_GUARD.finditer(text):
        flag = m.group(1)
        if re.search(rf"(?<![\w.]){re.escape(flag)}\s*=\s*true\b", text[m.end() :]):
            return True
    return False


def _has_lifetime_arg(f: SourceFile, node: Node) -> bool:
    args = node.child_by_field_name("arguments") if node.type == "call_expression" else None
    return args is not None and any(_LIFETIME_ARG.search(f.text(a)) for a in args.named_children)


_LIFETIME_ARG = re.compile(r"(?i)ctx|context|done|stop|quit|cancel")


def _derived_from(f: SourceFile, facts: Any, expr: Node, names: set[str], depth: int) -> bool:
    """Does `expr` mention one of `names`, directly or through local variables assigned from them
    (`wctx, cancel := context.WithTimeout(r.Context(), d)`)?"""
    text = f.text(expr)
    if any(re.search(rf"(?<![\w.]){re.escape(n)}\b", text) for n in names):
        return True
    if depth == 0:
        return False
    for ident in re.findall(r"(?<![\w.])([A-Za-z_]\w*)\b", text):
        for occ in facts.uses(ident):
            decl = occ.parent.parent if occ.parent is not None else None
            if decl is None or decl.type not in ("short_var_declaration", "assignment_statement", "var_spec"):
                continue
            right = decl.child_by_field_name("right") or decl.child_by_field_name("value")
            if right is not None and right.start_byte > occ.end_byte and _derived_from(f, facts, right, names, depth - 1):
                return True
    return False


def _received_until_closed(occ: Node) -> bool:
    """`v, ok := <-ch` (then `if !ok`): the code reads the channel until its producer closes it,
    which is how a watch reports that it ended; re-watching after that starts no second one."""
    recv = occ.parent
    if recv is None or recv.type != "unary_expression" or not (recv.text or b"").lstrip().startswith(b"<-"):
        return False
    n = recv.parent
    while n is not None and n.type == "expression_list":
        n = n.parent
    if n is None or n.type not in ("short_var_declaration", "assignment_statement", "receive_statement"):
        return False
    left = n.child_by_field_name("left")
    return left is not None and len(left.named_children) == 2


def _exits_after(f: SourceFile, stmt: Node) -> bool:
    """Is `stmt` followed in its block by a call that ends the process (`os.Exit`, `log.Fatal`)?"""
    sib = stmt.next_named_sibling
    while sib is not None:
        if sib.type == "expression_statement" and _PROCESS_EXITS.match(f.text(sib)):
            return True
        sib = sib.next_named_sibling
    return False


_PROCESS_EXITS = re.compile(r"^(os\.Exit|log\.Fatal\w*|\w+\.Fatal\w*|panic)\(")


def _leaves_after(f: SourceFile, stmt: Node, loop: Node) -> bool:
    """Is `stmt` followed, in its block or an enclosing block of the loop body, by a statement that
    leaves the loop for good (return, os.Exit, a labelled break out of it)?"""
    n: Node | None = stmt
    while n is not None and n.id != loop.id and n.type not in ("func_literal", "function_declaration", "method_declaration"):
        parent = n.parent
        if parent is not None and parent.type in ("statement_list", "block"):
            sib = n.next_named_sibling
            while sib is not None:
                if sib.type == "return_statement":
                    return True
                if sib.type == "expression_statement" and _PROCESS_EXITS.match(f.text(sib)):
                    return True
                if sib.type == "break_statement" and parent.parent is not None and parent.parent.type == "for_statement":
                    return True
                sib = sib.next_named_sibling
        if parent is not None and parent.type in ("communication_case", "expression_case", "type_case", "default_case"):
            # the rest of the select/switch does not run after this case; keep climbing from it
            n = parent.parent
            continue
        n = parent
    return False


def _loop_channels(f: SourceFile, loop: Node, node: Node) -> set[str]:
    """The channels whose receives make `loop` turn: its range operand, or the receives of the
    select case that holds `node` (cases that leave the loop do not make it turn)."""
    clause = next((c for c in loop.named_children if c.type == "range_clause"), None)
    if clause is not None:
        right = clause.child_by_field_name("right")
        return {f.text(right)} if right is not None else set()
    n = node.parent
    while n is not None and n.id != loop.id:
        if n.type == "communication_case":
            comm = n.child_by_field_name("communication")
            m = re.search(r"<-\s*([\w.]+)\s*$", f.text(comm)) if comm is not None else None
            return {m.group(1)} if m else set()
        n = n.parent
    return set()


def _names_function(pass_: Pass, target: Node, fn: FuncInfo) -> bool:
    """Does the function value `target` (`refresh`, `c.refresh`) denote `fn`? A method value
    counts only when its operand is declared with fn's receiver type."""
    text = pass_.file.text(target)
    if fn.receiver_type is None:
        return target.type == "identifier" and text == fn.name
    if target.type != "selector_expression":
        return False
    operand, field = target.child_by_field_name("operand"), target.child_by_field_name("field")
    if operand is None or field is None or pass_.file.text(field) != fn.name:
        return False
    return operand_type(pass_, pass_.result_of(FUNCTIONS), operand) == fn.receiver_type


def _rearms(fn: FuncInfo, f: SourceFile, call: Node) -> bool:
    """Does `fn` schedule itself again (`time.AfterFunc(d, ...)` inside it, or `t.Reset(d)`)?"""
    body = fn.body or fn.node
    text = fn.file.data[body.start_byte : body.end_byte]
    callee = callee_text(f, call).encode()
    return callee + b"(" in text or b".Reset(" in text


def _goes_round_again(case: Node) -> bool:
    """Does the case end in a bare `break`/`continue` (which only leaves the select)?"""
    stmts = [c for c in case.named_children if c.type == "statement_list"]
    last = stmts[0].named_children[-1] if stmts and stmts[0].named_children else None
    return last is not None and last.type in ("break_statement", "continue_statement") and last.named_child_count == 0


def _is_shutdown_case(f: SourceFile, case: Node) -> bool:
    comm = case.child_by_field_name("communication")
    if comm is None:
        return False
    text = f.text(comm).strip()
    m = re.search(r"<-\s*(.+)$", text)
    return m is not None and _SHUTDOWN.search(m.group(1).strip()) is not None


def _returns_after(stmt: Node) -> bool:
    """Is `stmt` followed, in its block or an enclosing block inside the same loop body, by an
    unconditional `return`?"""
    n: Node | None = stmt
    while n is not None and n.type not in ("for_statement", "func_literal", "function_declaration", "method_declaration"):
        parent = n.parent
        if parent is not None and parent.type == "statement_list":
            sib = n.next_named_sibling
            while sib is not None:
                if sib.type == "return_statement":
                    return True
                sib = sib.next_named_sibling
        n = parent
    return False


def _leaves_loop_on_success(f: SourceFile, node: Node, scope: Node) -> bool:
    """`if ws, err = w.Watch(...); err == nil { break }`: a retry loop that stops at the first
    watch that works; failed attempts started nothing."""
    stmt = f.parent(node)  # (f.parent: Node.parent costs the node's depth)
    while stmt is not None and stmt.id != scope.id and stmt.type not in ("if_statement",):
        stmt = f.parent(stmt)
    candidates = []
    if stmt is not None and stmt.type == "if_statement":
        candidates.append(stmt)
    # or the statement right after the assignment
    s = f.parent(node)
    while s is not None and (up := f.parent(s)) is not None and up.type != "statement_list":
        s = up
    if s is not None and s.next_named_sibling is not None and s.next_named_sibling.type == "if_statement":
        candidates.append(s.next_named_sibling)
    for ifs in candidates:
        cond = ifs.child_by_field_name("condition")
        cons = ifs.child_by_field_name("consequence")
        if cond is None or cons is None:
            continue
        ctext = f.text(cond)
        if "== nil" in ctext or "!= nil" in ctext and "err" not in ctext:
            body = f.text(cons)
            if "break" in body or "return" in body:
                return True
    return False


def _invoked_or_handed(use: Node) -> bool:
    """`cancel()`, `defer cancel()`, `go cancel()`, `f(cancel)`, `s.stop = cancel`; not `_ = cancel`."""
    p = use.parent
    if p is None:
        return False
    if p.type == "call_expression":
        return True
    if p.type == "argument_list":
        return True
    if p.type == "expression_list" and p.parent is not None and p.parent.type == "assignment_statement":
        left = p.parent.child_by_field_name("left")
        return left is not None and left.id != p.id and left.text != b"_"
    return p.type in ("keyed_element", "literal_element", "return_statement", "send_statement")


def _in_literal(node: Node, scope: Node) -> bool:
    """Is `node` inside a func literal nested in `scope` (e.g. a goroutine, not this iteration)?"""
    n = node.parent
    while n is not None and n.id != scope.id:
        if n.type == "func_literal":
            return True
        n = n.parent
    return False


_NIL_GUARD = re.compile(r"^\s*([\w.]+)\s*==\s*nil\s*$")


def _once_guarded(f: SourceFile, node: Node, scope: Node) -> bool:
    """Inside `once.Do(func() {...})`, or a lazy-init `if x == nil { x = ...; ... }`."""
    n = f.parent(node)  # (f.parent: Node.parent costs the node's depth)
    while n is not None and n.id != scope.id:
        if n.type == "if_statement":
            cond = n.child_by_field_name("condition")
            cons = n.child_by_field_name("consequence")
            m = _NIL_GUARD.match(f.text(cond)) if cond is not None else None
            if m and cons is not None and re.search(rf"(^|\n)\s*{re.escape(m.group(1))}\s*=[^=]", f.text(cons)):
                return True
        args = f.parent(n) if n.type == "func_literal" else None
        if args is not None and args.type == "argument_list":
            call = f.parent(args)
            if call is not None and callee_text(f, call).endswith(".Do"):
                return True
        n = f.parent(n)
    return False
