// File > Export > chart: which chart of which run set, in which style and
// size, with a preview drawn by the same code that writes the file (the
// figure is rendered for the page, never grabbed from the screen).
#pragma once

#include <QDialog>
#include <memory>
#include <vector>

#include "interstage/session_file.h"
#include "report/figure.h"

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QSpinBox;

class ChartExportDialog : public QDialog {
    Q_OBJECT
public:
    // `session`: the document the figure is drawn from (the app's run
    // sets); `options`: the starting choice (kind, set and run shown).
    ChartExportDialog(std::shared_ptr<const interstage::SavedSession> session, const report::FigureOptions& options,
                      QWidget* parent = nullptr);
    report::FigureOptions options() const;
    // The file filter's suffixes for the save dialog, PNG first.
    static QString fileFilter();

private:
    void updatePreview();
    void updateEnabled();
    std::shared_ptr<const interstage::SavedSession> session_;
    QComboBox* kind_ = nullptr;
    QComboBox* set_ = nullptr;
    QSpinBox* run_ = nullptr;
    QComboBox* style_ = nullptr;
    QComboBox* target_ = nullptr;
    QSpinBox* width_ = nullptr;
    QSpinBox* height_ = nullptr;
    QDoubleSpinBox* dpi_ = nullptr;
    QCheckBox* overlays_ = nullptr;
    QLabel* size_ = nullptr;
    QLabel* preview_ = nullptr;
    std::vector<int> hiddenOverlays_;  // as the timeline shows them (the dialog keeps them)
};
