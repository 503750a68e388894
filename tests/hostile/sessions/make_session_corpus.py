#!/usr/bin/env python3
# Writes the hostile session files of this folder and MANIFEST.tsv from
# valid_small.interstage (a 2-run reduce set of
# ../if_nested_known_condition.onnx saved by `interstage-cli run --session`).
# Run from this folder: python3 make_session_corpus.py
import copy
import json
import random

valid_text = open("valid_small.interstage", encoding="utf-8").read()
valid = json.loads(valid_text)
cases = [("valid_small.interstage", "loads", "", "a small valid session (2 reduce runs)")]


def write(name, data, expect, substring, why):
    mode = "wb" if isinstance(data, bytes) else "w"
    with open(name, mode) as f:
        f.write(data)
    cases.append((name, expect, substring, why))


def dump(doc):
    return json.dumps(doc, separators=(",", ":"), ensure_ascii=False)


def changed(path, value, expect, substring, why, name):
    doc = copy.deepcopy(valid)
    at = doc
    for key in path[:-1]:
        at = at[key]
    if value is DELETE:
        del at[path[-1]]
    else:
        at[path[-1]] = value
    write(name, dump(doc), expect, substring, why)


DELETE = object()
run0 = ["run_sets", 0, "runs", 0]

write("empty.interstage", b"", "error", "is not an Interstage session file", "zero bytes")
write("truncated_half.interstage", valid_text[: len(valid_text) // 2], "error", "damaged or truncated",
      "cut in the middle")
write("truncated_after_tag.interstage", valid_text[:40], "error", "damaged or truncated", "cut after the format tag")
write("truncated_last_brace.interstage", valid_text.rstrip()[:-1], "error", "damaged or truncated",
      "the closing brace missing")
rng = random.Random(21)
write("random_bytes.interstage", bytes(rng.randrange(256) for _ in range(4096)), "error",
      "is not an Interstage session file", "4 KiB of random bytes")
write("other_json.interstage", '{"name":"not a session","values":[1,2,3]}', "error",
      "is not an Interstage session file", "JSON without the format tag")
write("format_not_first_wrong_tag.interstage", '{"version":1,"format":"interstage-sessions"}', "error",
      "is not an Interstage session file", "a tag that is almost ours")
changed(["version"], 2, "error", "written by a newer Interstage (session format 2); this build reads format 1",
        "the next format", "newer_version.interstage")
changed(["version"], 0, "error", "version is 0, outside 1..", "version 0", "version_zero.interstage")
write("version_huge.interstage", valid_text.replace('"version":1', '"version":99999999999999999999999', 1),
      "error", "version must be a whole number", "a version beyond any integer")
write("deep_nesting.interstage", "[" * 100000 + "]" * 100000, "error", "nested more than 64 deep",
      "100k nested arrays")
doc = copy.deepcopy(valid)
write("deep_view_state.interstage",
      dump(doc)[:-1] + ',"view_state":' + '{"a":' * 1000 + "1" + "}" * 1000 + "}", "error",
      "nested more than 64 deep", "a view state nested 1000 deep")
write("huge_number.interstage", valid_text.replace('"weight_bytes":1', '"weight_bytes":1e400', 1), "error",
      "damaged or truncated Interstage session file (number overflow parsing '1e400')", "1e400 bytes of weights")
changed(["run_sets", 0, "weight_bytes"], 2**62, "error", "weight_bytes is 4611686018427387904, outside 0..",
        "a size above 1 EiB", "size_above_limit.interstage")
changed(run0 + ["peak_rss_bytes"], -1, "error", "runs[0].peak_rss_bytes is -1, outside 0..", "a negative size",
        "negative_size.interstage")
doc = copy.deepcopy(valid)
doc["run_sets"][0]["runs"][0]["events"][0][3] = 200
write("category_out_of_range.interstage", dump(doc), "error", "events[0][3] is 200, outside 0..5",
      "a memory category that does not exist", )
doc = copy.deepcopy(valid)
doc["run_sets"][0]["runs"][0]["events"][0][2] = 2
write("device_out_of_range.interstage", dump(doc), "error", "events[0][2] is 2, outside 0..1",
      "a memory device that does not exist")
changed(["run_sets"], "abc", "error", "run_sets must be an array, not a string", "a string where an array is",
        "string_for_array.interstage")
changed(["run_sets", 0, "label"], 5, "error", "run_sets[0].label must be a string, not an integer",
        "a number where a string is", "number_for_string.interstage")
changed(["model"], DELETE, "error", "field model is missing", "no model identity", "missing_model.interstage")
changed(run0 + ["events"], DELETE, "error", "field run_sets[0].runs[0].events is missing", "a run without events",
        "missing_events.interstage")
changed(["run_sets"], [[]] * 100000, "error", "run_sets[0] must be an object, not an array",
        "100k empty arrays for run sets", "empty_arrays_100k.interstage")
changed(run0 + ["events"], [[]] * 100000, "error", "events[0] must have 9 columns, not 0",
        "100k empty event rows", "empty_event_rows_100k.interstage")
changed(run0 + ["bytes_at_start"], [0, 0], "error", "bytes_at_start must have 6 columns, not 2",
        "two categories of six", "bytes_at_start_short.interstage")
changed(["run_sets", 0, "options", "mode", "planner"], "turbo", "error", "is 'turbo', not a planner",
        "a planner that does not exist", "unknown_planner.interstage")
changed(["run_sets", 0, "inputs"], {"x": {"dtype": 1, "shape": [1, 4], "data": "!!!!"}}, "error",
        "inputs.x.data is not base64", "an input value that is not base64", "bad_base64.interstage")
changed(["run_sets", 0, "inputs"], {"x": {"dtype": 1, "shape": [1, 4], "data": "AAAA"}}, "error",
        "inputs.x.data holds 3 bytes; float32 1x4 needs 16", "an input value too short",
        "input_size_mismatch.interstage")
changed(["run_sets", 0, "inputs"], {"x": {"dtype": 1, "shape": [2**40, 2**40], "data": ""}}, "error",
        "inputs.x.shape has more than 2^40 elements", "dims whose product overflows",
        "input_shape_overflow.interstage")
changed(["run_sets", 0, "inputs"], {"x": {"dtype": 99, "shape": [1], "data": "AAAA"}}, "error",
        "inputs.x.dtype is 99, not an ONNX element type", "an element type that does not exist",
        "unknown_dtype.interstage")
write("invalid_utf8.interstage", valid_text.encode("utf-8").replace(b'"label":"', b'"label":"\xff\xfe', 1), "error",
      "damaged or truncated", "a label that is not UTF-8")
write("nan_literal.interstage", valid_text.replace('"ms":', '"ms":NaN,"x":', 1), "error", "damaged or truncated",
      "NaN is not JSON")
# Valid though odd: they load.
changed(run0 + ["ms"], None, "loads", "", "null for a time reads as NaN (the writer's NaN)", "null_time.interstage")
write("bom_prefixed.interstage", "\ufeff" + valid_text, "loads", "", "a UTF-8 byte order mark before the document")
changed(["run_sets"], [], "loads", "", "a session with no run sets", "no_run_sets.interstage")
changed(["future_field"], {"anything": [1, 2]}, "loads", "", "a field this build does not know is ignored",
        "unknown_field.interstage")

# The export facts (optional fields), from valid_facts.interstage: the same
# model's 2-run reduce set saved with model_facts, plan_tensors, peak and
# the executed ops and value names.
facts_text = open("valid_facts.interstage", encoding="utf-8").read()
cases.append(("valid_facts.interstage", "loads", "", "a small valid session with the export facts"))
set0 = ["run_sets", 0]


def changed_facts(path, value, substring, why, name):
    global valid
    saved, valid = valid, json.loads(facts_text)
    changed(path, value, "error", substring, why, name)
    valid = saved


changed_facts(set0 + ["plan_tensors", 0, 1], "borrowed", 'plan_tensors[0][1] is "borrowed"',
              "a plan role this build does not know", "plan_role_unknown.interstage")
changed_facts(set0 + ["plan_tensors"], [[1, "own", ""], [1, "own", ""]], "plan_tensors has 2 rows, memory_map 1",
              "more plan rows than memory map rows", "plan_tensors_count.interstage")
changed_facts(set0 + ["plan_tensors", 0], [1, "own"], "plan_tensors[0] must have 3 columns", "a plan row short",
              "plan_tensors_row_short.interstage")
changed_facts(set0 + ["peak", "live", 0], ["z", 16], "peak.live[0] must have 6 columns", "a live row short",
              "peak_live_row_short.interstage")
changed_facts(set0 + ["peak", "plan_peak_bytes"], 2 ** 62, "plan_peak_bytes is", "a peak beyond 2^60 bytes",
              "peak_bytes_out_of_range.interstage")
changed_facts(set0 + ["executed_node_ops"], ["If", "Relu"], "executed_node_ops has 2 entries",
              "more ops than executed nodes", "executed_ops_count.interstage")
changed_facts(["model_facts", "graph", 0], ["branch"], "model_facts.graph[0] must have 4 columns",
              "a graph row short", "model_graph_row_short.interstage")
changed_facts(["model_facts", "ops"], ["If"], "model_facts.ops must be an object", "ops as an array",
              "model_ops_not_object.interstage")

with open("MANIFEST.tsv", "w") as f:
    f.write("# Written by make_session_corpus.py; one line per .interstage file in this folder, tab-separated:\n"
            "# file, expect (error: readSessionFile fails, its one-line message contains the substring;\n"
            "# loads: it reads), the substring, why.\n")
    for case in cases:
        f.write("\t".join(case) + "\n")
