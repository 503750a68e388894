#include "ops/einsum_equation.h"

#include <algorithm>

namespace interstage::ops {

namespace {

constexpr int kLetters = 52;  // a-z, then A-Z
constexpr int kEllipsis = -1;

int letterLabel(char ch) {
    if (ch >= 'a' && ch <= 'z') return ch - 'a';
    if (ch >= 'A' && ch <= 'Z') return 26 + (ch - 'A');
    return -2;
}

// One side of the equation's term: letter labels with kEllipsis where "..." is.
Status parseTerm(const std::string& term, std::vector<int>& out) {
    out.clear();
    for (size_t i = 0; i < term.size();) {
        if (term[i] == '.') {
            if (term.compare(i, 3, "...") != 0) return invalidModel("'" + term + "' has a '.' outside '...'");
            if (std::find(out.begin(), out.end(), kEllipsis) != out.end())
                return invalidModel("'" + term + "' has more than one '...'");
            out.push_back(kEllipsis);
            i += 3;
            continue;
        }
        const int label = letterLabel(term[i]);
        if (label < 0) return invalidModel("'" + term + "' has the character '" + term.substr(i, 1) + "'");
        out.push_back(label);
        ++i;
    }
    return Status::ok();
}

char labelLetter(int label) { return static_cast<char>(label < 26 ? 'a' + label : 'A' + (label - 26)); }

std::vector<std::string> splitOn(const std::string& text, char separator) {
    std::vector<std::string> parts(1);
    for (char ch : text) {
        if (ch == separator)
            parts.emplace_back();
        else
            parts.back().push_back(ch);
    }
    return parts;
}

// The dims of the operand's axes the ellipsis stands for (0 when it has none).
int64_t ellipsisRank(const std::vector<int>& term, const Shape& shape) {
    const bool hasEllipsis = std::find(term.begin(), term.end(), kEllipsis) != term.end();
    return hasEllipsis ? static_cast<int64_t>(shape.size()) - static_cast<int64_t>(term.size() - 1) : 0;
}

}  // namespace

Shape EinsumEquation::outputShape() const {
    Shape shape;
    for (int label : outputLabels) shape.push_back(labelDims[static_cast<size_t>(label)]);
    return shape;
}

Result<EinsumEquation> parseEinsum(const std::string& equation, const std::vector<Shape>& shapes) {
    std::string text;
    for (char ch : equation)
        if (ch != ' ') text.push_back(ch);
    const auto malformed = [&](const std::string& why) { return invalidModel("equation '" + equation + "': " + why); };
    const auto misfit = [&](const std::string& why) { return shapeError("equation '" + equation + "': " + why); };

    // 1. The syntax, which no input shape can make right.
    const size_t arrow = text.find("->");
    const bool explicitOutput = arrow != std::string::npos;
    if (explicitOutput && text.find("->", arrow + 2) != std::string::npos) return malformed("has more than one '->'");
    const std::vector<std::string> terms = splitOn(text.substr(0, arrow), ',');
    if (terms.size() != shapes.size())
        return malformed("names " + std::to_string(terms.size()) + " operands but the node has " +
                         std::to_string(shapes.size()) + " inputs");
    std::vector<std::vector<int>> parsed(terms.size());
    std::vector<int> letterUses(kLetters, 0);
    for (size_t i = 0; i < terms.size(); ++i) {
        Status status = parseTerm(terms[i], parsed[i]);
        if (!status.isOk()) return malformed("operand " + std::to_string(i) + " " + status.message());
        for (int label : parsed[i])
            if (label != kEllipsis) ++letterUses[static_cast<size_t>(label)];
    }
    std::vector<int> output;
    if (explicitOutput) {
        Status status = parseTerm(text.substr(arrow + 2), output);
        if (!status.isOk()) return malformed("the output " + status.message());
        for (size_t k = 0; k < output.size(); ++k) {
            if (std::find(output.begin(), output.begin() + static_cast<int64_t>(k), output[k]) !=
                output.begin() + static_cast<int64_t>(k))
                return malformed("the output repeats a subscript");
            if (output[k] != kEllipsis && letterUses[static_cast<size_t>(output[k])] == 0)
                return malformed(std::string("the output subscript '") + labelLetter(output[k]) + "' is in no operand");
        }
    }

    // 2. The operands' shapes against their subscripts.
    int64_t broadcastRank = 0;
    for (size_t i = 0; i < terms.size(); ++i) {
        const int64_t rank = ellipsisRank(parsed[i], shapes[i]);
        const bool hasEllipsis = std::find(parsed[i].begin(), parsed[i].end(), kEllipsis) != parsed[i].end();
        if (rank < 0 || (!hasEllipsis && parsed[i].size() != shapes[i].size()))
            return misfit("operand " + std::to_string(i) + " '" + terms[i] + "' does not fit its shape " +
                          shapeToString(shapes[i]));
        broadcastRank = std::max(broadcastRank, rank);
    }
    // As numpy and ONNX Runtime: the dims '...' stands for are not summed
    // away silently; an explicit output must keep them.
    if (explicitOutput && broadcastRank > 0 && std::find(output.begin(), output.end(), kEllipsis) == output.end())
        return misfit("'...' stands for " + std::to_string(broadcastRank) + " dim(s), which the output drops");
    EinsumEquation eq;
    eq.labelDims.assign(static_cast<size_t>(kLetters + broadcastRank), -1);
    for (size_t i = 0; i < parsed.size(); ++i) {
        const int64_t rank = ellipsisRank(parsed[i], shapes[i]);
        std::vector<int>& labels = eq.operandLabels.emplace_back();
        for (int label : parsed[i]) {
            if (label != kEllipsis) {
                labels.push_back(label);
                continue;
            }
            // Right-aligned: an operand with fewer ellipsis dims takes the last ones.
            for (int64_t k = 0; k < rank; ++k) labels.push_back(static_cast<int>(kLetters + broadcastRank - rank + k));
        }
        for (size_t axis = 0; axis < labels.size(); ++axis) {
            const int64_t dim = shapes[i][axis];
            int64_t& known = eq.labelDims[static_cast<size_t>(labels[axis])];
            const bool broadcasts = labels[axis] >= kLetters;
            if (known < 0 || (broadcasts && known == 1))
                known = dim;
            else if (dim != known && !(broadcasts && dim == 1))
                return misfit(
                    (broadcasts ? std::string("a '...' dim") : std::string("'") + labelLetter(labels[axis]) + "'") +
                    " of operand " + std::to_string(i) + " has size " + std::to_string(dim) + " where another has " +
                    std::to_string(known));
        }
    }

    // 3. The output's labels.
    if (explicitOutput) {
        for (int label : output) {
            if (label != kEllipsis) {
                eq.outputLabels.push_back(label);
                continue;
            }
            for (int64_t k = 0; k < broadcastRank; ++k) eq.outputLabels.push_back(static_cast<int>(kLetters + k));
        }
    } else {
        // numpy's implicit output: the broadcast dims, then every letter
        // used exactly once, in alphabetical (ASCII: upper case first) order.
        for (int64_t k = 0; k < broadcastRank; ++k) eq.outputLabels.push_back(static_cast<int>(kLetters + k));
        for (int first : {26, 0})  // labels of A-Z, then of a-z
            for (int label = first; label < first + 26; ++label)
                if (letterUses[static_cast<size_t>(label)] == 1) eq.outputLabels.push_back(label);
    }
    return eq;
}

}  // namespace interstage::ops
