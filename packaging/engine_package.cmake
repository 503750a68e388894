# Installs the engine library (interstage_shared, engine/CMakeLists.txt)
# as a CMake package: the library, the public headers under
# include/interstage/, and InterstageConfig.cmake with its version file
# and targets, so that another project writes
#   find_package(Interstage 0.1 CONFIG REQUIRED)
#   target_link_libraries(app PRIVATE Interstage::engine)
include(CMakePackageConfigHelpers)
set(INTERSTAGE_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/Interstage)

install(TARGETS interstage_shared EXPORT InterstageTargets LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/engine/include/interstage DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(EXPORT InterstageTargets NAMESPACE Interstage:: DESTINATION ${INTERSTAGE_CMAKE_DIR})

configure_package_config_file(${PROJECT_SOURCE_DIR}/packaging/InterstageConfig.cmake.in
                              ${CMAKE_BINARY_DIR}/InterstageConfig.cmake INSTALL_DESTINATION ${INTERSTAGE_CMAKE_DIR})
# 0.x: only the same minor version is compatible (as the soname says).
write_basic_package_version_file(${CMAKE_BINARY_DIR}/InterstageConfigVersion.cmake
                                 COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_BINARY_DIR}/InterstageConfig.cmake ${CMAKE_BINARY_DIR}/InterstageConfigVersion.cmake
        DESTINATION ${INTERSTAGE_CMAKE_DIR})
