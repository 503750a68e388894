// "Live now": the tensors alive at the step shown, biggest first, with
// their bytes, producer, last reader and whether each is pinned, written
// in place inside another, or freed after this step; and their sum, which
// is the step's live bytes (in-place members counted once, in their host).
#pragma once

#include <QStringList>
#include <QWidget>

#include "core/step_state.h"

class QLabel;
class QTableWidget;

namespace widgets {

class LiveList : public QWidget {
    Q_OBJECT
public:
    explicit LiveList(QWidget* parent = nullptr);

    void showStep(const appcore::StepState& state);
    void clear();

    // What the table shows (tests): names in row order, the bytes the rows
    // add up to, and the line under the table.
    QStringList names() const;
    std::size_t sumBytes() const { return sumBytes_; }
    QString sumText() const;
    QTableWidget* table() const { return table_; }

signals:
    void tensorClicked(const QString& name);

private:
    QLabel* title_;
    QTableWidget* table_;
    QLabel* sum_;
    std::size_t sumBytes_ = 0;
};

}  // namespace widgets
