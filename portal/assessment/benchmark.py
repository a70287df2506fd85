"""A green procurement benchmark: its public API (the frozen data of benchmark_types, the checks of
benchmark_validation) and the YAML format of BENCHMARK_FORMAT.md; an import reports every problem it finds,
each with the path of the value at fault."""

from __future__ import annotations

import re

import yaml
from flask_babel import lazy_gettext as _l

from portal.assessment.benchmark_types import (
    EFFORTS,
    EVIDENCE,
    QUESTION_TYPES,
    YES_PARTLY_NO_POINTS,
    Benchmark,
    GradeBand,
    InvalidBenchmark,
    Knockout,
    Option,
    Problem,
    Question,
    Section,
    Threshold,
)
from portal.assessment.benchmark_validation import check, from_dict

__all__ = ["EFFORTS", "EVIDENCE", "QUESTION_TYPES", "YES_PARTLY_NO_POINTS", "Benchmark", "GradeBand",
           "InvalidBenchmark", "Knockout", "Option", "Problem", "Question", "Section", "Threshold", "YamlDumper",
           "YamlLoader", "check", "dump_yaml", "from_dict", "load_yaml"]


# YAML 1.2 booleans (true/false only), so `in: [no]` and an option `value: yes` stay text as people mean them.
class YamlLoader(yaml.SafeLoader):
    def compose_node(self, parent, index):
        # A benchmark needs no anchors; refusing aliases keeps a small file from expanding into a huge one.
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.composer.ComposerError(None, None, "aliases (*name) are not allowed", event.start_mark)
        return super().compose_node(parent, index)

    def construct_mapping(self, node, deep=False):
        seen = set()
        for key_node, _value in node.value:
            key = self.construct_object(key_node, deep=True)
            if not isinstance(key, str | int | float | bool):
                continue  # SafeLoader reports unhashable keys itself
            if key in seen:
                raise yaml.constructor.ConstructorError(None, None, f"the key “{key}” appears twice",
                                                        key_node.start_mark)
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


YamlLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()}
YamlLoader.add_implicit_resolver("tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
                              list("tTfF"))


def load_yaml(text: str) -> tuple[Benchmark | None, list[Problem]]:
    try:
        data = yaml.load(text, Loader=YamlLoader)  # a SafeLoader subclass
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None) or getattr(err, "context_mark", None)
        detail = getattr(err, "problem", None) or getattr(err, "context", None) or str(err)
        return None, [Problem("", _l("The file is not valid YAML at line %(line)s (%(detail)s). Check the "
                                     "indentation of that line and the one before it, and put text that contains "
                                     "a colon or starts with a special character in quotes.",
                                     line=mark.line + 1 if mark else 1, detail=detail))]
    return check(data)


class _Flow(dict):
    """A small mapping written on one line, as the format shows grade bands, options and thresholds."""


class YamlDumper(yaml.SafeDumper):
    def represent_str(self, data: str):
        # PyYAML writes a text ending in one of YAML's other line breaks (NEL, LS, PS) in single quotes that read
        # back with a space instead; double quotes escape them.
        if any(mark in data for mark in "\x85\u2028\u2029"):
            return self.represent_scalar("tag:yaml.org,2002:str", data, style='"')
        return super().represent_str(data)


YamlDumper.add_representer(str, YamlDumper.represent_str)
YamlDumper.add_representer(_Flow, lambda dumper, data: dumper.represent_mapping("tag:yaml.org,2002:map", data,
                                                                             flow_style=True))


def dump_yaml(benchmark: Benchmark) -> str:
    data = benchmark.to_dict()
    data["grade_bands"] = [_Flow(band) for band in data["grade_bands"]]
    for knockout in data["knockouts"]:
        knockout["when"] = _Flow(knockout["when"])
    for section in data["sections"]:
        for question in section["questions"]:
            for key in ("options", "thresholds"):
                if key in question:
                    question[key] = [_Flow(item) for item in question[key]]
            if "prefill" in question:
                question["prefill"] = _Flow(question["prefill"])
    return yaml.dump(data, Dumper=YamlDumper, allow_unicode=True, sort_keys=False, width=120)
