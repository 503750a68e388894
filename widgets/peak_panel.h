// The Peak tab: why the selected run set's plan peaks where it does (the
// engine's interstage/peak_explain.h) — the peak step and node, the tensors
// alive there, largest first, with why each is still alive, the two named
// lower bounds and the order's, fragmentation, and (planned on request:
// a session per variant) what each pin and each in-place rule costs.
#pragma once

#include <QWidget>
#include <memory>
#include <string>
#include <vector>

#include "core/run_types.h"

class QComboBox;
class QLabel;
class QPushButton;
class QTableWidget;

namespace widgets {

class PeakPanel : public QWidget {
    Q_OBJECT
public:
    explicit PeakPanel(QWidget* parent = nullptr);

    // A finished set with runs, in the order the window keeps them; the
    // newest is shown.
    void addSet(const appcore::RunSetResult& result);
    // The set's explanation with its costs planned.
    void updateExplanation(int set, std::shared_ptr<const interstage::PeakExplanation> peak);
    void clear();
    void showSet(int set);

    // For tests and the window.
    int currentSet() const;
    const QTableWidget* liveTable() const { return live_; }
    QString summaryText() const;
    QString boundsText() const;
    QString costsText() const;

signals:
    // A row was clicked: its tensor and the node that made it.
    void tensorChosen(const QString& tensor, const QString& producer);
    void costsRequested(int set);

private:
    struct Set {
        QString label;
        std::shared_ptr<const interstage::PeakExplanation> peak;  // null: restored from a file
        std::vector<interstage::TensorPlacement> map;
        std::vector<std::string> nodeNames;
    };
    void showExplanation(const interstage::PeakExplanation& e);
    void showFromMap(const Set& set);  // what a saved map allows
    void addRow(const QString& bytes, qint64 counted, const QString& tensor, const QString& reason,
                const QString& producer, const QString& lastReader);

    std::vector<Set> sets_;
    QComboBox* chooser_;
    QLabel* summary_;
    QTableWidget* live_;
    QLabel* bounds_;
    QLabel* costs_;
    QPushButton* planCosts_;
};

}  // namespace widgets
