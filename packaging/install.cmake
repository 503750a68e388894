# What `cmake --install` puts where (GNUInstallDirs): the programs, the
# desktop integration (desktop file, icon, AppStream metainfo, MIME types), man pages
# written from the programs' --help and --version, and the
# CLI's bash completion written from its --help, so neither can drift from
# the programs. The engine library's rules are in engine/CMakeLists.txt.
install(TARGETS interstage-cli RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
if(INTERSTAGE_BUILD_GUI)
  install(TARGETS interstage_app RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
  # A helper of `interstage-cli report` and `chart`, not a command of its
  # own (engine/cli/cmd_report.cpp finds it here).
  install(TARGETS interstage-render RUNTIME DESTINATION ${CMAKE_INSTALL_LIBEXECDIR}/interstage)
  install(FILES ${PROJECT_SOURCE_DIR}/resources/org.interstage.Interstage.desktop
          DESTINATION ${CMAKE_INSTALL_DATADIR}/applications)
  install(FILES ${PROJECT_SOURCE_DIR}/resources/interstage.svg
          DESTINATION ${CMAKE_INSTALL_DATADIR}/icons/hicolor/scalable/apps)
  install(FILES ${PROJECT_SOURCE_DIR}/resources/org.interstage.Interstage.metainfo.xml
          DESTINATION ${CMAKE_INSTALL_DATADIR}/metainfo)
  # The types of the desktop file's MimeType (.onnx, .interstage sessions).
  install(FILES ${PROJECT_SOURCE_DIR}/resources/org.interstage.Interstage.mime.xml
          DESTINATION ${CMAKE_INSTALL_DATADIR}/mime/packages RENAME org.interstage.Interstage.xml)
endif()

# Sanitizer builds are never installed, and their programs would run under
# ASan at build time; the man pages and the completion are left out there.
if(INTERSTAGE_SANITIZE)
  return()
endif()

set(INTERSTAGE_MAN_DIR ${CMAKE_BINARY_DIR}/man)
# interstage_man_page(TARGET PROGRAM "WHAT IT DOES"): PROGRAM.1.gz from the
# target's --help and --version (packaging/make_man_page.sh).
function(interstage_man_page target program summary)
  set(page ${INTERSTAGE_MAN_DIR}/${program}.1.gz)
  add_custom_command(
    OUTPUT ${page}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${INTERSTAGE_MAN_DIR}
    COMMAND bash ${PROJECT_SOURCE_DIR}/packaging/make_man_page.sh $<TARGET_FILE:${target}> ${program} ${summary}
            ${page}
    DEPENDS ${target} ${PROJECT_SOURCE_DIR}/packaging/make_man_page.sh
    COMMENT "man page of ${program} from its --help"
    VERBATIM)
  add_custom_target(${program}_man ALL DEPENDS ${page})
  install(FILES ${page} DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
endfunction()

interstage_man_page(interstage-cli interstage-cli "run ONNX models and show the memory each memory mode needs")
if(INTERSTAGE_BUILD_GUI)
  interstage_man_page(interstage_app interstage "makes the memory of neural-network inference visible")
endif()

set(INTERSTAGE_COMPLETION ${CMAKE_BINARY_DIR}/completion/interstage-cli)
add_custom_command(
  OUTPUT ${INTERSTAGE_COMPLETION}
  COMMAND ${CMAKE_COMMAND} -E make_directory ${CMAKE_BINARY_DIR}/completion
  COMMAND bash ${PROJECT_SOURCE_DIR}/packaging/make_bash_completion.sh $<TARGET_FILE:interstage-cli>
          ${INTERSTAGE_COMPLETION}
  DEPENDS interstage-cli ${PROJECT_SOURCE_DIR}/packaging/make_bash_completion.sh
  COMMENT "bash completion of interstage-cli from its --help"
  VERBATIM)
add_custom_target(interstage_completion ALL DEPENDS ${INTERSTAGE_COMPLETION})
install(FILES ${INTERSTAGE_COMPLETION} DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions)
