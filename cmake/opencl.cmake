# opencl.cmake - the optional OpenCL backend.  Included from the top
# CMakeLists.txt after the engine layer (mcpi_engine) is defined; without
# OpenCL it adds the stub that lists "built without OpenCL".
#
# The kernel is compiled at run time by the device's OpenCL compiler from a
# C array embedded into libmcpi here (mcpi_portable.h + mcpi_core.h +
# mcpi_kernel.cl), so the executable runs from any directory.
if(MCPI_WITH_OPENCL)
  set(_mcpi_kernel_sources
    ${CMAKE_CURRENT_SOURCE_DIR}/kernels/mcpi_portable.h
    ${CMAKE_CURRENT_SOURCE_DIR}/kernels/mcpi_core.h
    ${CMAKE_CURRENT_SOURCE_DIR}/kernels/mcpi_kernel.cl)
  set(_mcpi_kernel_c ${CMAKE_BINARY_DIR}/generated/mcpi_kernel_source.c)
  # "|" separates the list: a ";" would split the argument of the command.
  string(REPLACE ";" "|" _mcpi_kernel_sources_arg "${_mcpi_kernel_sources}")
  add_custom_command(
    OUTPUT ${_mcpi_kernel_c}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${CMAKE_BINARY_DIR}/generated
    COMMAND ${CMAKE_COMMAND}
            -DOUTPUT=${_mcpi_kernel_c}
            -DSYMBOL=mcpi_kernel_source
            "-DSOURCES=${_mcpi_kernel_sources_arg}"
            -P ${CMAKE_CURRENT_SOURCE_DIR}/cmake/embed.cmake
    DEPENDS ${_mcpi_kernel_sources} ${CMAKE_CURRENT_SOURCE_DIR}/cmake/embed.cmake
    COMMENT "Embedding the OpenCL kernel source"
    VERBATIM)
  target_sources(mcpi_engine PRIVATE
    host/opencl/backend_opencl.c
    host/opencl/opencl_cache.c
    ${_mcpi_kernel_c})
  target_link_libraries(mcpi_engine PUBLIC OpenCL::OpenCL)
  target_compile_definitions(mcpi_engine PRIVATE CL_TARGET_OPENCL_VERSION=120 MCPI_WITH_OPENCL=1)
else()
  target_sources(mcpi_engine PRIVATE host/opencl/backend_opencl_none.c)
endif()
