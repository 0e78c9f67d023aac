# Config for C++ projects that link glmlx's ops:
#   find_package(glmlx CONFIG REQUIRED PATHS "$(python -m glmlx --cmake-dir)")
#   target_link_libraries(my_target PRIVATE glmlx::glmlx)
# It finds MLX the same way (python -m mlx --cmake-dir) when MLX is not found yet.
get_filename_component(_glmlx_root "${CMAKE_CURRENT_LIST_DIR}/../../.." ABSOLUTE)
if(NOT TARGET mlx)
  find_package(Python COMPONENTS Interpreter REQUIRED)
  execute_process(COMMAND "${Python_EXECUTABLE}" -m mlx --cmake-dir
                  OUTPUT_STRIP_TRAILING_WHITESPACE OUTPUT_VARIABLE MLX_ROOT)
  find_package(MLX CONFIG REQUIRED)
endif()
if(NOT TARGET glmlx::glmlx)
  add_library(glmlx::glmlx SHARED IMPORTED)
  set_target_properties(glmlx::glmlx PROPERTIES
    IMPORTED_LOCATION "${_glmlx_root}/lib/${CMAKE_SHARED_LIBRARY_PREFIX}glmlx${CMAKE_SHARED_LIBRARY_SUFFIX}"
    INTERFACE_INCLUDE_DIRECTORIES "${_glmlx_root}/include"
    INTERFACE_LINK_LIBRARIES mlx)
endif()
set(glmlx_FOUND TRUE)
