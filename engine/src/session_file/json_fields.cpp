#include "session_file/json_fields.h"

#include <cmath>
#include <limits>

namespace interstage::session_json {
namespace {

const char* typeName(const Json& j) {
    switch (j.type()) {
        case Json::value_t::null:
            return "null";
        case Json::value_t::object:
            return "an object";
        case Json::value_t::array:
            return "an array";
        case Json::value_t::string:
            return "a string";
        case Json::value_t::boolean:
            return "a boolean";
        case Json::value_t::number_integer:
        case Json::value_t::number_unsigned:
            return "an integer";
        case Json::value_t::number_float:
            return "a decimal number";
        default:
            return "binary data";
    }
}

}  // namespace

void Field::fail(const std::string& what) const {
    throw FieldError{(path.empty() ? "the document" : path) + " " + what};
}

const Json& Field::object() const {
    if (!json.is_object()) fail(std::string("must be an object, not ") + typeName(json));
    return json;
}

Field Field::operator[](const char* key) const {
    const Json& o = object();
    auto it = o.find(key);
    const std::string child = path.empty() ? std::string(key) : path + "." + key;
    if (it == o.end()) throw FieldError{"field " + child + " is missing"};
    return Field{*it, child};
}

bool Field::has(const char* key) const { return json.is_object() && json.contains(key); }

Field Field::at(std::size_t i) const { return Field{json.at(i), path + "[" + std::to_string(i) + "]"}; }

const Json& Field::array(std::size_t columns) const {
    if (!json.is_array()) fail(std::string("must be an array, not ") + typeName(json));
    if (columns > 0 && json.size() != columns)
        fail("must have " + std::to_string(columns) + " columns, not " + std::to_string(json.size()));
    return json;
}

std::string Field::string() const {
    if (!json.is_string()) fail(std::string("must be a string, not ") + typeName(json));
    return json.get<std::string>();
}

bool Field::boolean() const {
    if (json.is_boolean()) return json.get<bool>();
    if (json.is_number_unsigned() && json.get<std::uint64_t>() <= 1) return json.get<std::uint64_t>() == 1;
    fail(std::string("must be true or false, not ") + typeName(json));
}

double Field::number() const {
    if (json.is_null()) return std::numeric_limits<double>::quiet_NaN();
    if (!json.is_number()) fail(std::string("must be a number, not ") + typeName(json));
    return json.get<double>();
}

std::int64_t Field::integer(std::int64_t lowest, std::int64_t highest) const {
    std::int64_t value = 0;
    if (json.is_number_unsigned()) {
        const std::uint64_t u = json.get<std::uint64_t>();
        if (u > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
            fail("is " + std::to_string(u) + ", above " + std::to_string(highest));
        value = static_cast<std::int64_t>(u);
    } else if (json.is_number_integer()) {
        value = json.get<std::int64_t>();
    } else {
        fail(std::string("must be a whole number, not ") + typeName(json) +
             (json.is_number_float() ? " (" + json.dump() + ")" : ""));
    }
    if (value < lowest || value > highest)
        fail("is " + std::to_string(value) + ", outside " + std::to_string(lowest) + ".." + std::to_string(highest));
    return value;
}

int Field::int32() const {
    return static_cast<int>(integer(std::numeric_limits<int>::min(), std::numeric_limits<int>::max()));
}

int Field::int32(int lowest, int highest) const { return static_cast<int>(integer(lowest, highest)); }

std::size_t Field::bytes() const { return static_cast<std::size_t>(integer(0, std::int64_t(kMaxBytes))); }

std::int64_t Field::signedBytes() const { return integer(-std::int64_t(kMaxBytes), std::int64_t(kMaxBytes)); }

}  // namespace interstage::session_json
