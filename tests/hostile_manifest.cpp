#include "hostile_manifest.h"

#include <fstream>
#include <sstream>

namespace testsupport {

std::string hostileDir() { return std::string(INTERSTAGE_SOURCE_DIR) + "/tests/hostile"; }

std::string HostileCase::path() const { return hostileDir() + "/" + file; }

std::vector<HostileCase> hostileCorpus() {
    std::ifstream in(hostileDir() + "/MANIFEST.tsv");
    std::vector<HostileCase> cases;
    std::string line;
    while (std::getline(in, line)) {
        if (line.empty() || line[0] == '#') continue;
        std::vector<std::string> fields;
        std::stringstream split(line);
        for (std::string field; std::getline(split, field, '\t');) fields.push_back(field);
        if (fields.size() != 4 || (fields[1] != "error" && fields[1] != "runs" && fields[1] != "inspect")) return {};
        cases.push_back({fields[0], fields[1] == "runs", fields[1] == "inspect", fields[2], fields[3]});
    }
    return cases;
}

}  // namespace testsupport
