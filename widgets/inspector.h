// The inspector: the selected node's attributes, its tensors (shapes,
// bytes, lifetime) and one tensor's values after a run — statistics, the
// first values and an image for 1xCxHxW tensors — or the engine's
// DataRemoved message with a button to pin the tensor.
#pragma once

#include <QWidget>

#include "interstage/tensor.h"

class QLabel;
class QPushButton;
class QTableWidget;
class QTextEdit;

namespace widgets {

struct InspectedTensor {
    QString name;
    QString dtype;
    QString shape;
    qint64 bytes = 0;
    QString lifetime;  // "steps 12-40" or "weight"
};

struct InspectedNode {
    QString name;
    QString op;
    int step = -1;
    QList<QPair<QString, QString>> attributes;
    QList<InspectedTensor> inputs;
    QList<InspectedTensor> outputs;
};

class Inspector : public QWidget {
    Q_OBJECT
public:
    explicit Inspector(QWidget* parent = nullptr);

    void showNode(const InspectedNode& node);
    void clearNode();
    // The values of `tensor` (values non-null) or why there are none.
    void showValues(const QString& tensor, const interstage::TensorData* values, const QString& unavailable,
                    bool removed);

    // For tests: what the value area says now.
    QString valueText() const;
    bool pinButtonVisible() const;

signals:
    void tensorChosen(const QString& tensor);  // a tensor row was clicked
    void pinRequested(const QString& tensor);

private:
    QLabel* title_;
    QTableWidget* attributes_;
    QTableWidget* tensors_;
    QLabel* valueTitle_;
    QTextEdit* values_;
    QLabel* image_;
    QPushButton* pin_;
    QString shownTensor_;
};

}  // namespace widgets
