#!/usr/bin/env python3
"""The crate's import graph, read from the source: which file uses which (`use crate::...` and inline
`crate::...` paths), the import circles (strongly connected components) and the imports that run from a lower
layer to a higher one (ARCHITECTURE.md's layers, listed below).

Usage: scripts/import-graph.py [--edges]    (run from the repository root)
"""
import os
import re
import sys

SRC = "src"

# Layers, lowest first: a file may import its own layer and the ones below it. The most specific prefix wins.
LAYERS = [
    ("base", ["error.rs", "glob.rs", "protocol/", "num"]),
    ("storage", ["storage/"]),
    # The log's level is a configuration type.
    ("config", ["config.rs", "config/", "process.rs", "log.rs"]),
    ("pubsub", ["pubsub/"]),
    # The formats and writers of saved data: no engine in them.
    ("records", ["persistence/mod.rs", "persistence/effects.rs", "persistence/child.rs", "persistence/aof/dir.rs",
                 "persistence/aof/manifest.rs", "persistence/aof/parse.rs", "persistence/aof/writer.rs",
                 "persistence/aof/snapshot.rs", "persistence/aof/rewrite.rs", "persistence/aof/state.rs",
                 "persistence/rdb/"]),
    ("engine", ["engine/"]),
    # Loading, rewrites and turning the AOF on and off: they drive the engine.
    ("persistence", ["persistence/"]),
    ("families", ["cmd/", "scripting/"]),
    ("server", ["server/"]),
    ("entry", ["lib.rs", "main.rs", "bin/", "test/"]),
]


def layer_of(path):
    best = None
    for rank, (name, prefixes) in enumerate(LAYERS):
        for p in prefixes:
            if path == p or path.startswith(p):
                if best is None or len(p) > best[2]:
                    best = (rank, name, len(p))
    return (best[0], best[1]) if best else (len(LAYERS), "?")


def module_files():
    """Maps a module path ('server::state') to its file ('server/state.rs')."""
    mods = {}
    for root, _, files in os.walk(SRC):
        for f in files:
            if not f.endswith(".rs"):
                continue
            rel = os.path.relpath(os.path.join(root, f), SRC)
            parts = rel[:-3].split("/")
            if parts[-1] == "mod":
                parts = parts[:-1]
            if parts in (["lib"], ["main"]):
                continue
            if parts and parts[0] == "bin":
                continue
            mods["::".join(parts)] = rel
    return mods


PATH = re.compile(r"\b(crate|super)::((?:[a-z_][a-z0-9_]*::)*[a-z_][a-z0-9_]*)")
USE_GROUP = re.compile(r"use (crate|super)::((?:[a-z_][a-z0-9_]*::)*)\{([^;]*)\}", re.S)


def module_of(rel):
    """The module path of a file ('server/state.rs' -> ['server', 'state'])."""
    parts = rel[:-3].split("/")
    if parts[-1] == "mod":
        parts = parts[:-1]
    return [] if parts in (["lib"], ["main"]) or (parts and parts[0] == "bin") else parts


def absolute(root, path, here):
    """`super::x` from the file `here` as a path from the crate root."""
    if root == "crate":
        return path
    parent = module_of(here)[:-1]
    return "::".join(parent + [path]) if parent else path


def targets(text, mods, here):
    """The module files a source text refers to."""
    found = set()
    paths = [absolute(m.group(1), m.group(2), here) for m in PATH.finditer(text)]
    for g in USE_GROUP.finditer(text):
        base = absolute(g.group(1), g.group(2).rstrip(":"), here)
        base = base + "::" if base else ""
        for item in re.split(r"[,\s]+", g.group(3)):
            item = item.strip().split(" as ")[0]
            if item and item[0].islower():
                paths.append(base + item.split("::{")[0])
    for p in paths:
        parts = p.split("::")
        while parts:
            key = "::".join(parts)
            if key in mods:
                found.add(mods[key])
                break
            parts.pop()
    return found


def strip_tests(text):
    """Unit-test modules import what they test from anywhere: they are left out."""
    at = text.find("#[cfg(test)]\nmod tests")
    return text if at < 0 else text[:at]


def sccs(graph):
    index, low, stack, on, out = {}, {}, [], set(), []
    counter = [0]
    sys.setrecursionlimit(10000)

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            out.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def main():
    mods = module_files()
    files = sorted(set(mods.values()) | {"lib.rs", "main.rs"} | {
        os.path.relpath(os.path.join(SRC, "bin", f), SRC) for f in os.listdir(os.path.join(SRC, "bin"))})
    graph = {}
    for f in files:
        with open(os.path.join(SRC, f)) as fh:
            text = strip_tests(fh.read())
        graph[f] = sorted(t for t in targets(text, mods, f) if t != f)
    edges = sum(len(v) for v in graph.values())
    print(f"{len(files)} files, {edges} imports")
    circles = [c for c in sccs(graph) if len(c) > 1]
    circles.sort(key=len, reverse=True)
    print(f"import circles: {len(circles)}; sizes {[len(c) for c in circles]}")
    for c in circles:
        print(f"  circle of {len(c)}: {' '.join(c)}")
    back = [(f, t) for f in files for t in graph[f] if layer_of(t)[0] > layer_of(f)[0]]
    print(f"imports from a lower layer to a higher one: {len(back)}")
    for f, t in back:
        print(f"  {f} ({layer_of(f)[1]}) -> {t} ({layer_of(t)[1]})")
    if "--edges" in sys.argv:
        for f in files:
            print(f"{f}: {' '.join(graph[f])}")


if __name__ == "__main__":
    main()
