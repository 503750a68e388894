// The hostile-model corpus (tests/hostile): its folder and MANIFEST.tsv, read
// by test_hostile (engine, CLI) and test_app (the window's error dialog).
#pragma once

#include <string>
#include <vector>

namespace testsupport {

struct HostileCase {
    std::string file;      // e.g. "cycle_of_two.onnx", relative to hostileDir()
    bool mustRun = false;  // "runs": a valid model; else every stage must fail
    // "inspect": opens for inspection (app, `info`), fails wherever it must run
    bool opensForInspection = false;
    std::string expected;  // substring of the one-line error, or "NAME=DIMS" of the output
    std::string why;
    std::string path() const;
};

std::string hostileDir();
// Every line of MANIFEST.tsv; an unreadable or malformed manifest gives an
// empty list (the tests check that it is not empty).
std::vector<HostileCase> hostileCorpus();

}  // namespace testsupport
