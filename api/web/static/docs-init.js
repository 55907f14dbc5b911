// Starts Swagger UI on /openapi.json (a static file, so the page needs no inline script).
window.ui = SwaggerUIBundle({ url: "/openapi.json", dom_id: "#swagger-ui", deepLinking: true });
