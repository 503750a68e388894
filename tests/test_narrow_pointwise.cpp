// Pointwise convolutions of few channels (cpu/ops/nn/narrow_product and
// conv_narrow_pointwise): the kernel against a double-precision loop on the
// shapes that exercise its row blocks, column tails and packed tiles.
#include <QtTest>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "cpu/ops/nn/narrow_product.h"
#include "test_support.h"

using namespace interstage;

namespace {

constexpr float kInf = std::numeric_limits<float>::infinity();

// y as NarrowProduct defines it, in double.
std::vector<float> reference(const cpu::nn::NarrowProduct& p, const std::vector<float>& residual) {
    std::vector<float> y(static_cast<size_t>(p.rows * p.yStride), 0.f);
    for (int64_t o = 0; o < p.rows; ++o)
        for (int64_t j = 0; j < p.columns; ++j) {
            double sum = p.bias ? p.bias[o] : 0.0;
            for (int64_t k = 0; k < p.depth; ++k) sum += double(p.w[o * p.depth + k]) * p.x[k * p.xStride + j];
            double value = std::min<double>(std::max<double>(sum, p.low), p.high);
            if (o < p.residualRows) value += residual[size_t(o * p.residualStride + j)];
            y[size_t(o * p.yStride + j)] = float(std::min<double>(std::max<double>(value, p.afterLow), p.afterHigh));
        }
    return y;
}

}  // namespace

class NarrowPointwiseTest : public QObject {
    Q_OBJECT
private slots:
    // The kernel on its own: every row-block remainder (1..5 rows past the
    // blocks of six), column tails of 1..63, packed and unpacked tiles
    // (depth over 256 reads in place), a residual on the first rows only,
    // clamps before and after it, and strides wider than the rows.
    void productMatchesDoubleReference_data() {
        QTest::addColumn<int>("rows");
        QTest::addColumn<int>("depth");
        QTest::addColumn<int>("columns");
        QTest::addColumn<int>("residualRows");
        QTest::addColumn<bool>("bias");
        QTest::addColumn<bool>("clamp");
        QTest::newRow("24 x 24, 128x128 map, Relu") << 24 << 24 << 16384 << 0 << true << true;
        QTest::newRow("28 from 24, residual on 24 rows") << 28 << 24 << 4096 << 24 << true << true;
        QTest::newRow("13 rows (6 + 6 + 1), tail of 17") << 13 << 7 << 81 << 13 << false << false;
        QTest::newRow("5 rows, one column") << 5 << 3 << 1 << 2 << true << true;
        QTest::newRow("11 rows, 64 + 63 columns") << 11 << 16 << 127 << 11 << true << false;
        QTest::newRow("depth 300 (tiles read in place)") << 20 << 300 << 200 << 0 << true << true;
        QTest::newRow("depth 1, 256 rows, 8x8 map") << 256 << 1 << 64 << 128 << true << true;
        QTest::newRow("128 from 88, 16x16 map (row groups)") << 128 << 88 << 256 << 88 << true << true;
    }
    void productMatchesDoubleReference() {
        QFETCH(int, rows);
        QFETCH(int, depth);
        QFETCH(int, columns);
        QFETCH(int, residualRows);
        QFETCH(bool, bias);
        QFETCH(bool, clamp);
        const int64_t stride = columns + 3;  // rows wider than the columns read
        WeightGenerator gen(uint64_t(rows * 1000 + depth));
        const std::vector<float> x = gen.uniform(depth * stride, 1.f), w = gen.uniform(rows * depth, 0.5f);
        const std::vector<float> b = gen.uniform(rows, 0.5f),
                                 residual = gen.uniform(std::max(residualRows, 1) * stride, 1.f);
        cpu::nn::NarrowProduct p;
        p.x = x.data();
        p.xStride = stride;
        p.w = w.data();
        p.bias = bias ? b.data() : nullptr;
        p.rows = rows;
        p.depth = depth;
        p.columns = columns;
        p.yStride = stride;
        p.residual = residualRows ? residual.data() : nullptr;
        p.residualRows = residualRows;
        p.residualStride = stride;
        if (clamp) {
            p.low = -0.25f;
            p.high = 2.f;
            p.afterLow = 0.f;
            p.afterHigh = kInf;
        }
        const std::vector<float> expected = reference(p, residual);
        for (const bool parallel : {false, true}) {
            std::vector<float> y(expected.size(), -7.f);  // the gaps between rows must stay untouched
            p.y = y.data();
            if (parallel)
                cpu::nn::runNarrowProductParallel(p);
            else
                cpu::nn::runNarrowProduct(p, 0, rows, 0, columns);
            for (int64_t o = 0; o < rows; ++o)
                for (int64_t j = 0; j < stride; ++j) {
                    const size_t i = size_t(o * stride + j);
                    const float want = j < columns ? expected[i] : -7.f;
                    QVERIFY2(std::abs(y[i] - want) <= 1e-4f + 1e-5f * depth * std::abs(want),
                             qPrintable(QString("row %1 column %2: %3 vs %4 (%5)")
                                            .arg(o)
                                            .arg(j)
                                            .arg(y[i])
                                            .arg(want)
                                            .arg(parallel ? "parallel" : "one thread")));
                }
        }
    }
};

QTEST_GUILESS_MAIN(NarrowPointwiseTest)
#include "test_narrow_pointwise.moc"
