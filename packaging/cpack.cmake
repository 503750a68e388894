# The Debian package (cpack -G DEB in the build folder; scripts/package.sh
# builds and checks it): everything `cmake --install` puts in /usr, one
# package "interstage". Its shared-library dependencies are computed by
# dpkg-shlibdeps; only the Python module's (which dpkg-shlibdeps cannot
# see) are written here.
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME interstage)
set(CPACK_PACKAGE_VENDOR "Interstage")
set(CPACK_PACKAGE_CONTACT "Interstage maintainers <maintainers@users.noreply.r-seed-3b28fe69.example>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "makes the memory of neural-network inference visible")
set(CPACK_PACKAGE_DESCRIPTION
    "Interstage is an inference engine for ONNX models (CPU, and Vulkan GPUs)
and a desktop tool around it: open a model, see its graph, switch memory
modes (default, reduce, reuse, a planned arena), run it and watch which
intermediate tensors exist, when, and what that costs in bytes and
milliseconds.

This package holds the desktop app (interstage), the command-line tool
(interstage-cli), the engine as a shared library with its C++ headers
and CMake package (find_package(Interstage CONFIG)), and the Python
module.")
set(CPACK_DEBIAN_PACKAGE_SECTION science)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# The library's soname goes in the package's shlibs file, and ldconfig runs
# when it comes and goes: by dpkg's trigger, which Debian asks for (CPack's
# postinst and postrm call ldconfig too, which lintian only warns about).
set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS ON)
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA ${PROJECT_SOURCE_DIR}/packaging/triggers)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "python3 (>= 3.11), python3-numpy")
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "python3-matplotlib")
# Installed binaries carry no symbol tables (the build keeps its own).
set(CPACK_STRIP_FILES ON)
# Debian wants root-owned files with 0755 folders whatever the build's umask.
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
set(CPACK_INSTALL_DEFAULT_DIRECTORY_PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ GROUP_EXECUTE
                                                WORLD_READ WORLD_EXECUTE)

# /usr/share/doc/interstage: the copyright and the changelog Debian asks
# every package for.
install(FILES ${PROJECT_SOURCE_DIR}/packaging/copyright DESTINATION ${CMAKE_INSTALL_DATAROOTDIR}/doc/interstage)
add_custom_command(
  OUTPUT ${CMAKE_BINARY_DIR}/changelog.gz
  COMMAND gzip -9nc ${PROJECT_SOURCE_DIR}/packaging/changelog > ${CMAKE_BINARY_DIR}/changelog.gz
  DEPENDS ${PROJECT_SOURCE_DIR}/packaging/changelog
  COMMENT "gzip packaging/changelog")
add_custom_target(interstage_changelog ALL DEPENDS ${CMAKE_BINARY_DIR}/changelog.gz)
install(FILES ${CMAKE_BINARY_DIR}/changelog.gz DESTINATION ${CMAKE_INSTALL_DATAROOTDIR}/doc/interstage)

include(CPack)
