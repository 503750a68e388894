// Validation of a document against docs/session.schema.json with Debian's
// python3-jsonschema (draft 2020-12), for the suites that check that
// their exports keep to the schema.
#pragma once

#include <QString>

namespace testsupport {

struct SchemaCheck {
    int code = -1;   // 0 valid, 1 invalid, else the validator did not run
    QString errors;  // one line per error: "path/to/field: message"
};

// True when /usr/bin/python3 can import jsonschema (scripts/setup.sh).
bool schemaValidatorAvailable();
// The schema itself is checked first: a broken schema fails every document.
SchemaCheck validateSessionDocument(const QString& documentPath);

}  // namespace testsupport
