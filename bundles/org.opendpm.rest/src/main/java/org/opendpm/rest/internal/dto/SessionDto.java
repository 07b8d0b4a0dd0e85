package org.opendpm.rest.internal.dto;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * Who is signed in and with which roles (sorted).
 *
 * @param csrfToken the token every change made with this session's cookie must carry in {@code X-CSRF-Token}; null
 *        for a request authenticated otherwise (HTTP Basic needs none)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SessionDto(String user, List<String> roles, String csrfToken) {
}
